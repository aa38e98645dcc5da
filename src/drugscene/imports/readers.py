"""Read the rows of an input file as strings: CSV (plain or gzip, any delimiter, UTF-8 with
or without BOM or Windows-1252), GeoJSON and GeoPackage (through pyogrio).

Every reader gives a header and rows of strings, each with the number a person would use to
find it: the physical line in a CSV file (the header is line 1; a quoted value that spans
lines counts all its lines), or the feature's position (1 = first) in a GeoJSON or
GeoPackage layer.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: pseudo-columns a geometry file adds for its point coordinates
GEOMETRY_X = "geometry_x"
GEOMETRY_Y = "geometry_y"
DELIMITERS = (",", ";", "\t", "|")


class ReadError(ValueError):
    """The file cannot be read at all (not a row problem)."""


@dataclass
class Table:
    kind: str  # csv | geojson | gpkg
    unit: str  # "line" or "feature"
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    crs: str | None = None  # of the geometry (geometry files only)
    delimiter: str = ","
    encoding: str = "utf-8"
    estimate: int = 0  # about how many rows (for the progress bar)


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".geojson", ".json")):
        return "geojson"
    if name.endswith(".gpkg"):
        return "gpkg"
    return "csv"


def open_table(path: str | Path, *, format: str | None = None, delimiter: str | None = None,
               encoding: str | None = None, layer: str | None = None) -> Table:
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"no such file: {path}")
    kind = detect_format(path, format)
    if kind == "csv":
        return _csv(path, delimiter, encoding)
    return _geo(path, kind, layer)


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ReadError(f"{path.name}: broken gzip file ({exc})") from None
    return data


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise ReadError(f"line {line}: not valid {encoding}") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # spreadsheet exports on Windows: every byte is a character in cp1252 but five
        return data.decode("cp1252", errors="replace"), "cp1252"


def _csv(path: Path, delimiter: str | None, encoding: str | None) -> Table:
    text, used = _decode(read_bytes(path), encoding)
    first = text.split("\n", 1)[0]
    if delimiter is None:
        delimiter = max(DELIMITERS, key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError(f"{path.name}: the file is empty") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise ReadError("line 1: the header is empty")

    def rows() -> Iterator[tuple[int, list[str]]]:
        last = reader.line_num
        try:
            for values in reader:
                start = last + 1
                last = reader.line_num
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue
                yield start, values
        except csv.Error as exc:
            raise ReadError(f"line {last + 1}: {exc}") from None

    return Table("csv", "line", header, rows(), delimiter=delimiter, encoding=used,
                 estimate=max(0, text.count("\n") - 1))


def _text(values: np.ndarray) -> list[str]:
    """A column of a geometry file's attribute table as strings ('' for missing)."""
    out = []
    for v in values.tolist():
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            out.append("")
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, bytes):
            out.append(v.decode("utf-8", errors="replace"))
        else:
            out.append(str(v))
    return out


def _geo(path: Path, kind: str, layer: str | None) -> Table:
    import shapely
    from pyogrio.errors import DataLayerError, DataSourceError
    from pyogrio.raw import read

    try:
        meta, _, wkb, fields = read(str(path), layer=layer, datetime_as_string=True)
    except (DataSourceError, DataLayerError) as exc:
        raise ReadError(f"{path.name}: {exc}") from None
    names = [str(n) for n in meta["fields"]]
    columns = [_text(np.asarray(f, dtype=object)) for f in fields]
    n = len(wkb) if wkb is not None else (len(columns[0]) if columns else 0)
    xs = [""] * n
    ys = [""] * n
    if wkb is not None:
        geoms = shapely.from_wkb(wkb)
        ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        points = shapely.point_on_surface(geoms[ok])  # a point stays itself
        px, py = shapely.get_x(points), shapely.get_y(points)
        idx = np.flatnonzero(ok)
        for i, x, y in zip(idx.tolist(), px.tolist(), py.tolist(), strict=True):
            xs[i], ys[i] = repr(x), repr(y)
    header = [*names, GEOMETRY_X, GEOMETRY_Y]
    crs = meta.get("crs") or ("EPSG:4326" if kind == "geojson" else None)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for i in range(n):
            yield i + 1, [c[i] for c in columns] + [xs[i], ys[i]]

    return Table(kind, "feature", header, rows(), crs=crs, estimate=n)

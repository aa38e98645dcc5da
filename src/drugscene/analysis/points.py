"""Event points for analysis: read from CSV or GeoJSON, validated, as numpy arrays.

A points file has one event per row (CSV, with a header holding at least ``lon``, ``lat`` and
``time``; more columns are allowed, ``category`` is used when present) or one GeoJSON Point
feature per event with a ``time`` property. Coordinates are WGS84, times ISO 8601 (a date, or
a date-time; without an offset a time is read as UTC).
"""

from __future__ import annotations

import csv
import gzip
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from drugscene.analysis.errors import AnalysisError

MAX_LISTED_ERRORS = 10


class PointsError(AnalysisError):
    """Input that cannot be analysed, with the offending lines when there are any."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or []
        listed = "".join(f"\n  {p}" for p in self.problems[:MAX_LISTED_ERRORS])
        more = len(self.problems) - MAX_LISTED_ERRORS
        if more > 0:
            listed += f"\n  ... and {more} more"
        super().__init__(message + listed)


@dataclass(frozen=True, eq=False)
class Points:
    """Events as parallel arrays. ``t`` is seconds since the Unix epoch, UTC."""

    lon: np.ndarray
    lat: np.ndarray
    t: np.ndarray
    category: np.ndarray | None = None
    origin: str = ""
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.lon.size)

    def subset(self, mask: np.ndarray) -> Points:
        cat = self.category[mask] if self.category is not None else None
        return Points(self.lon[mask], self.lat[mask], self.t[mask], cat, self.origin, self.meta)

    def sorted_by_time(self) -> Points:
        return self.subset(np.argsort(self.t, kind="stable"))


def from_arrays(lon: Iterable[float], lat: Iterable[float], t: Iterable[int],
                category: Iterable[str] | None = None, origin: str = "arrays") -> Points:
    """Build validated :class:`Points` from sequences (``t`` in epoch seconds)."""
    lon_a = np.asarray(list(lon) if not isinstance(lon, np.ndarray) else lon, dtype=np.float64)
    lat_a = np.asarray(list(lat) if not isinstance(lat, np.ndarray) else lat, dtype=np.float64)
    t_a = np.asarray(list(t) if not isinstance(t, np.ndarray) else t, dtype=np.int64)
    cat = None if category is None else np.asarray(list(category), dtype=object)
    pts = Points(lon_a, lat_a, t_a, cat, origin)
    validate(pts)
    return pts


def validate(pts: Points) -> None:
    """Raise :class:`PointsError` for empty input, NaN or out-of-range coordinates."""
    n = len(pts)
    if n == 0:
        raise PointsError(f"No points in {pts.origin or 'the input'}.")
    if not (pts.lat.size == n and pts.t.size == n):
        raise PointsError("lon, lat and time must have the same length.")
    bad = ~(np.isfinite(pts.lon) & np.isfinite(pts.lat)
            & (np.abs(pts.lon) <= 180) & (np.abs(pts.lat) <= 90))
    if bad.any():
        rows = np.flatnonzero(bad)
        raise PointsError(
            f"{rows.size} point(s) have missing or out-of-range coordinates "
            "(longitude -180..180, latitude -90..90):",
            [f"point {i + 1}: lon={pts.lon[i]!r}, lat={pts.lat[i]!r}" for i in rows],
        )


def parse_time(value: str) -> int:
    """ISO 8601 date or date-time to epoch seconds (UTC when no offset is given)."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _times(values: list[str], lines: list[int]) -> np.ndarray:
    """Vectorised parse when every value is offset-free ISO, else row by row with errors."""
    values = [v.strip() for v in values] if values and values[0] != values[0].strip() \
        else values
    try:
        with warnings.catch_warnings():
            # numpy warns (and may guess) on offsets such as "Z": parse those row by row
            warnings.simplefilter("error")
            arr = np.array(values, dtype="datetime64[s]")
        return arr.astype(np.int64)
    except (ValueError, UserWarning, DeprecationWarning):
        pass
    out = np.empty(len(values), dtype=np.int64)
    problems = []
    for i, v in enumerate(values):
        try:
            out[i] = parse_time(v)
        except ValueError:
            problems.append(f"line {lines[i]}: time {v!r} is not ISO 8601")
    if problems:
        raise PointsError(f"{len(problems)} row(s) have an unreadable time:", problems)
    return out


def _loadtxt(path: Path, header: list[str]) -> Points | None:
    """numpy's C reader: about 0.6 s for a million rows. ``None`` when anything in the file
    needs the careful path (a bad value, a time with an offset, ragged rows)."""
    i_lon, i_lat, i_t = header.index("lon"), header.index("lat"), header.index("time")
    i_cat = header.index("category") if "category" in header else None
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
                xy = np.loadtxt(fh, delimiter=",", skiprows=1, usecols=(i_lon, i_lat),
                                dtype=np.float64, quotechar='"', ndmin=2)
            with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
                t = np.loadtxt(fh, delimiter=",", skiprows=1, usecols=(i_t,),
                               dtype="datetime64[s]", quotechar='"', ndmin=1)
            cat = None
            if i_cat is not None:
                with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
                    cat = np.loadtxt(fh, delimiter=",", skiprows=1, usecols=(i_cat,),
                                     dtype=str, quotechar='"', ndmin=1).astype(object)
    except (ValueError, UserWarning, DeprecationWarning, IndexError):
        return None
    if xy.shape[0] == 0 or np.isnat(t).any():
        return None
    lon, lat = xy[:, 0].copy(), xy[:, 1].copy()
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if not ok.all():
        return None
    return Points(lon, lat, t.astype(np.int64), cat, str(path))


def read_csv(path: str | Path) -> Points:
    """Read a points CSV: numpy's C reader first; a careful pass names any bad rows."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise PointsError(f"{path} is empty.") from None
        missing = [c for c in ("lon", "lat", "time") if c not in header]
        if missing:
            raise PointsError(f"{path}: the header lacks column(s) {', '.join(missing)} "
                              f"(found: {', '.join(header)}).")
        fast = _loadtxt(path, header) if "lon" in header and "lat" in header \
            and "time" in header else None
        if fast is not None:
            return fast
        rows = [r for r in reader if r and (len(r) > 1 or r[0].strip())]
    if not rows:
        raise PointsError(f"No points in {path}.")
    i_lon, i_lat, i_t = header.index("lon"), header.index("lat"), header.index("time")
    i_cat = header.index("category") if "category" in header else None
    try:
        cols = list(zip(*rows, strict=True))  # ValueError when rows are ragged
        if len(cols) != len(header):
            raise ValueError("ragged")
        lon = np.array(cols[i_lon], dtype=np.float64)
        lat = np.array(cols[i_lat], dtype=np.float64)
        times = list(cols[i_t])
    except ValueError:
        return _read_rows(path, header, rows)
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if not ok.all():
        return _read_rows(path, header, rows)
    lines = list(range(2, len(rows) + 2))
    cats = np.array([c.strip() for c in cols[i_cat]], dtype=object) if i_cat is not None \
        else None
    pts = Points(lon, lat, _times(times, lines), cats, str(path))
    validate(pts)
    return pts


def _read_rows(path: Path, header: list[str], rows: list[list[str]]) -> Points:
    """The slow path: check each row and report every bad one with its line number."""
    i_lon, i_lat, i_t = header.index("lon"), header.index("lat"), header.index("time")
    i_cat = header.index("category") if "category" in header else None
    lon, lat, times, cats, lines, problems = [], [], [], [], [], []
    for line_no, row in enumerate(rows, start=2):
        try:
            x, y = float(row[i_lon]), float(row[i_lat])
            t = row[i_t]
        except (ValueError, IndexError):
            problems.append(f"line {line_no}: lon/lat must be numbers, time present: "
                            f"{','.join(row)[:80]!r}")
            continue
        if not (np.isfinite(x) and np.isfinite(y) and abs(x) <= 180 and abs(y) <= 90):
            problems.append(f"line {line_no}: coordinates out of range ({x}, {y})")
            continue
        lon.append(x)
        lat.append(y)
        times.append(t.strip())
        lines.append(line_no)
        if i_cat is not None:
            cats.append(row[i_cat].strip() if i_cat < len(row) else "")
    if problems:
        raise PointsError(f"{path}: {len(problems)} bad row(s):", problems)
    pts = Points(np.array(lon), np.array(lat), _times(times, lines),
                 np.array(cats, dtype=object) if i_cat is not None else None, str(path))
    validate(pts)
    return pts


def read_geojson(path: str | Path) -> Points:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PointsError(f"{path} is not valid JSON: {exc}") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise PointsError(f"{path} is not a GeoJSON FeatureCollection.")
    lon, lat, times, cats, lines, problems = [], [], [], [], [], []
    for i, f in enumerate(features, start=1):
        geom = (f or {}).get("geometry") or {}
        props = (f or {}).get("properties") or {}
        if geom.get("type") != "Point" or "time" not in props:
            problems.append(f"feature {i}: needs a Point geometry and a 'time' property")
            continue
        x, y = geom["coordinates"][:2]
        lon.append(float(x))
        lat.append(float(y))
        times.append(str(props["time"]))
        cats.append(str(props.get("category", "")))
        lines.append(i)
    if problems:
        raise PointsError(f"{path}: {len(problems)} bad feature(s):", problems)
    if not lon:
        raise PointsError(f"No points in {path}.")
    has_cat = any(cats)
    pts = Points(np.array(lon), np.array(lat), _times(times, lines),
                 np.array(cats, dtype=object) if has_cat else None, str(path))
    validate(pts)
    return pts


def read_points(path: str | Path) -> Points:
    """Read a CSV (optionally gzipped) or GeoJSON points file by its extension."""
    p = Path(path)
    if not p.exists():
        raise PointsError(f"No such file: {p}")
    name = p.name.lower()
    if name.endswith((".geojson", ".json")):
        return read_geojson(p)
    if name.endswith((".csv", ".csv.gz", ".txt")):
        return read_csv(p)
    raise PointsError(f"{p}: use a .csv, .csv.gz or .geojson file.")

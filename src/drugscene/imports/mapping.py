"""Column mapping files (TOML): how the columns of someone else's file become report fields.

Without a mapping file the import expects ``id,lon,lat,time,category[,text]`` (WGS84,
ISO 8601, category slugs). docs/guides/import.md describes every key; the examples live in
``imports/mappings/``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

#: report fields a column (or a constant) can fill
FIELDS = ("id", "x", "y", "time", "time_to", "reported_at", "category", "text", "accuracy_m",
          "persons", "setting", "visibility", "review_status")
CONSTANT_FIELDS = ("category", "text", "accuracy_m", "persons", "setting", "visibility",
                   "review_status", "restricted_to")
PRECISIONS = ("instant", "day", "month", "year")
FORMATS = ("csv", "geojson", "gpkg")
TOP_KEYS = {"name", "description", "attribution", "file", "columns", "coordinates", "time",
            "values", "filter", "constants", "external_id"}
SECTION_KEYS = {
    "file": {"format", "delimiter", "encoding", "layer"},
    "coordinates": {"crs"},
    "time": {"formats", "timezone", "precision"},
    "external_id": {"template", "hash", "prefix"},
}


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the key."""


@dataclass
class Mapping:
    name: str = "default (id,lon,lat,time,category[,text])"
    attribution: str = ""
    format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    layer: str | None = None
    #: field → column name(s); ``text`` may name several columns (joined with " · ")
    columns: dict[str, str | list[str]] = field(default_factory=dict)
    crs: str = "EPSG:4326"
    time_formats: list[str] = field(default_factory=list)
    timezone: str | None = None
    precision: str = "instant"
    #: field → {source value → our value}; the key "*" catches every other value
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: column → kept values; other rows are left out (counted, not errors)
    filter: dict[str, list[str]] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    id_template: str | None = None
    id_hash: list[str] | str | None = None
    id_prefix: str = ""
    path: str = ""

    def column(self, name: str) -> str | None:
        value = self.columns.get(name)
        return value if isinstance(value, str) else None

    def text_columns(self) -> list[str]:
        value = self.columns.get("text")
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)


DEFAULT_COLUMNS = {"id": "id", "x": "lon", "y": "lat", "time": "time", "category": "category",
                   "text": "text"}


def default_mapping() -> Mapping:
    return Mapping(columns=dict(DEFAULT_COLUMNS))


def _check_keys(where: str, table: dict, allowed: set[str] | tuple[str, ...]) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise MappingError(f"{where}: unknown key {unknown[0]!r} (known: "
                           f"{', '.join(sorted(allowed))})")


def _str_list(where: str, value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise MappingError(f"{where}: give a string or a list of strings")


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a TOML mapping file; raises :class:`MappingError` naming the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from None
    return mapping_from_dict(data, str(path))


def mapping_from_dict(data: dict, path: str = "") -> Mapping:
    _check_keys("mapping", data, TOP_KEYS)
    for section, keys in SECTION_KEYS.items():
        if section in data:
            if not isinstance(data[section], dict):
                raise MappingError(f"[{section}] must be a table")
            _check_keys(f"[{section}]", data[section], keys)
    m = Mapping(name=str(data.get("name") or Path(path).stem or "mapping"),
                attribution=str(data.get("attribution", "")), path=path)
    f = data.get("file", {})
    m.format = f.get("format")
    if m.format is not None and m.format not in FORMATS:
        raise MappingError(f"[file] format: one of {', '.join(FORMATS)}")
    m.delimiter = f.get("delimiter")
    if m.delimiter is not None and (not isinstance(m.delimiter, str) or len(m.delimiter) != 1):
        raise MappingError("[file] delimiter: one character, e.g. \";\" or \"\\t\"")
    m.encoding = f.get("encoding")
    if m.encoding is not None:
        import codecs

        try:
            codecs.lookup(m.encoding)
        except LookupError:
            raise MappingError(f"[file] encoding: unknown encoding {m.encoding!r}") from None
    m.layer = f.get("layer")

    columns = data.get("columns", {})
    if not isinstance(columns, dict):
        raise MappingError("[columns] must be a table")
    _check_keys("[columns]", columns, FIELDS)
    for key, value in columns.items():
        if key == "text":
            m.columns[key] = _str_list("[columns] text", value)
        elif isinstance(value, str) and value:
            m.columns[key] = value
        else:
            raise MappingError(f"[columns] {key}: give the column name as a string")

    crs = data.get("coordinates", {}).get("crs", "EPSG:4326")
    try:
        from pyproj import CRS

        CRS.from_user_input(crs)
    except Exception:  # noqa: BLE001  pyproj raises its own CRSError on bad input
        raise MappingError(f"[coordinates] crs: unknown coordinate reference system {crs!r}"
                           ) from None
    m.crs = str(crs)

    t = data.get("time", {})
    m.time_formats = _str_list("[time] formats", t["formats"]) if "formats" in t else []
    m.timezone = t.get("timezone")
    if m.timezone is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(m.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise MappingError(f"[time] timezone: unknown time zone {m.timezone!r}") from None
    m.precision = t.get("precision", "instant")
    if m.precision not in PRECISIONS:
        raise MappingError(f"[time] precision: one of {', '.join(PRECISIONS)}")

    values = data.get("values", {})
    _check_keys("[values]", values, FIELDS)
    for key, table in values.items():
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise MappingError(f"[values.{key}]: a table of \"source value\" = \"our value\"")
        m.values[key] = {str(k): v for k, v in table.items()}

    for column, kept in data.get("filter", {}).items():
        m.filter[column] = _str_list(f"[filter] {column}", kept)

    constants = data.get("constants", {})
    _check_keys("[constants]", constants, CONSTANT_FIELDS)
    for key, value in constants.items():
        if key in m.columns:
            raise MappingError(f"[constants] {key}: also mapped to a column; choose one")
        if key == "restricted_to":
            value = _str_list("[constants] restricted_to", value)
        elif key in ("accuracy_m", "persons"):
            if not isinstance(value, int) or isinstance(value, bool):
                raise MappingError(f"[constants] {key}: a whole number")
        elif not isinstance(value, str):
            raise MappingError(f"[constants] {key}: a string")
        m.constants[key] = value

    ext = data.get("external_id", {})
    m.id_template = ext.get("template")
    if m.id_template is not None and not isinstance(m.id_template, str):
        raise MappingError("[external_id] template: a string such as \"{Month}/{Crime ID}\"")
    if "hash" in ext:
        h = ext["hash"]
        m.id_hash = "row" if h == "row" else _str_list("[external_id] hash", h)
    m.id_prefix = str(ext.get("prefix", ""))
    if "id" not in m.columns and m.id_template is None and m.id_hash is None:
        raise MappingError("no external id: map [columns] id, or give [external_id] template "
                           "or hash")
    if "time" not in m.columns:
        raise MappingError("[columns] time: required (the column with the time of the event)")
    if "category" not in m.columns and "category" not in m.constants:
        raise MappingError("[columns] category or [constants] category: required")
    return m

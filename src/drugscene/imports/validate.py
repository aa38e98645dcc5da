"""Validation of an input file, all of it, before anything is written.

The whole file is read into columns (numbers and datetimes, not model instances): a million
rows take a few hundred megabytes at most. Each row is checked with the same rules as
``reports.services`` (position inside the city, time not in the future, known category,
persons 0..500, text at most 4000 characters, then scrubbed with ``privacy.scrub``), and
coordinates are converted and tested for the whole batch at once with pyproj and shapely.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from drugscene.accounts.models import Organisation
from drugscene.cities.models import City
from drugscene.imports.mapping import Mapping
from drugscene.imports.readers import GEOMETRY_X, GEOMETRY_Y, Table
from drugscene.privacy.scrub import scrub_text
from drugscene.reports.models import Category, ReviewStatus, Setting, Visibility
from drugscene.reports.services import CLOCK_SKEW, MAX_PERSONS, MAX_TEXT

BATCH = 20_000
MAX_ID = 120  # Report.external_id max_length
MAX_ACCURACY = 100_000
TEXT_JOIN = " · "

Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


class FileProblem(ValueError):
    """The file as a whole cannot be imported (a missing column, an unreadable file)."""


@dataclass
class Rows:
    """The valid rows, as columns ready for the database (datetimes aware, in UTC)."""

    numbers: list[int] = field(default_factory=list)
    external_id: list[str] = field(default_factory=list)
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    occurred_from: list[datetime] = field(default_factory=list)
    occurred_to: list[datetime | None] = field(default_factory=list)
    reported_at: list[datetime] = field(default_factory=list)
    category: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    scrubbed: list[str] = field(default_factory=list)
    accuracy_m: list[int | None] = field(default_factory=list)
    persons: list[int] = field(default_factory=list)
    setting: list[str] = field(default_factory=list)
    visibility: list[str] = field(default_factory=list)
    review_status: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.numbers)


@dataclass
class Rejected:
    number: int
    values: list[str]
    problems: list[tuple[str, str]]  # (column, reason)

    def lines(self, unit: str) -> list[str]:
        return [f"{unit} {self.number}: {col}: {reason}" for col, reason in self.problems]

    @property
    def reason(self) -> str:
        return "; ".join(f"{col}: {reason}" for col, reason in self.problems)


@dataclass
class Checked:
    table: Table
    rows: Rows
    rejected: list[Rejected]
    rows_in_file: int = 0
    rows_filtered: int = 0
    restricted_to: list[int] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return self.table.unit


def _month_bounds(d: datetime) -> tuple[datetime, datetime]:
    start = d.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    nxt = (start + timedelta(days=32)).replace(day=1)
    return start, nxt


class TimeParser:
    """Parse a time value to ``(start, end)`` in UTC; ``end`` is ``None`` for an instant."""

    def __init__(self, formats: list[str], zone: str, precision: str) -> None:
        self.formats = formats
        self.zone = ZoneInfo(zone)
        self.precision = precision
        self.cache: dict[str, tuple[datetime, datetime | None]] = {}

    def _parse(self, s: str) -> datetime:
        if self.formats:
            for f in self.formats:
                try:
                    return datetime.strptime(s, f)  # noqa: DTZ007  zone added below
                except ValueError:
                    continue
            raise ValueError(f"{s!r} matches none of the formats {', '.join(self.formats)}")
        try:
            return datetime.fromisoformat(s)
        except ValueError:
            if len(s) == 7 and s[4] == "-":  # YYYY-MM, a month
                try:
                    return datetime.fromisoformat(s + "-01")
                except ValueError:
                    pass
            raise ValueError(f"{s!r} is not an ISO 8601 time") from None

    def __call__(self, s: str) -> tuple[datetime, datetime | None]:
        hit = self.cache.get(s)
        if hit is not None:
            return hit
        d = self._parse(s)
        if d.tzinfo is None:
            d = d.replace(tzinfo=self.zone)
        end = None
        if self.precision == "day":
            d = d.replace(hour=0, minute=0, second=0, microsecond=0)
            end = _local_end(d, (d + timedelta(days=1)).replace(tzinfo=None))
        elif self.precision == "month":
            d, nxt = _month_bounds(d)
            end = _local_end(d, nxt.replace(tzinfo=None))
        elif self.precision == "year":
            d = d.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
            end = _local_end(d, d.replace(year=d.year + 1, tzinfo=None))
        out = (d.astimezone(UTC), end)
        if self.precision != "instant" or len(self.cache) < 100_000:
            self.cache[s] = out
        return out


def _local_end(start: datetime, next_naive: datetime) -> datetime:
    """The last second before ``next_naive`` (wall-clock time in ``start``'s zone), in UTC."""
    return (next_naive.replace(tzinfo=start.tzinfo) - timedelta(seconds=1)).astimezone(UTC)


def template_columns(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def check_file(table: Table, mapping: Mapping, city: City, *, progress: Progress = _noop,
               total: int = 0) -> Checked:
    """Read and check every row of ``table``; raises :class:`FileProblem` for whole-file
    problems, collects row problems in ``Checked.rejected``."""
    header = table.header
    index = {name: i for i, name in enumerate(header)}
    geo = table.unit == "feature"
    columns = dict(mapping.columns)
    if geo and (mapping.path == "" or "x" not in columns):
        # the default format, or a mapping without x/y: the features' geometry
        columns["x"], columns["y"] = GEOMETRY_X, GEOMETRY_Y
    if mapping.path == "" and "text" not in index:  # the default format: text is optional
        columns.pop("text", None)
    for needed in ("x", "y"):
        if needed not in columns:
            raise FileProblem(f"[columns] {needed}: required for a CSV file")

    def col(name: str) -> int:
        if name not in index:
            shown = ", ".join(h for h in header if h not in (GEOMETRY_X, GEOMETRY_Y))
            raise FileProblem(f"{table.unit} 1: no column {name!r} (the file has: {shown})"
                              if table.unit == "line" else
                              f"no attribute {name!r} (the layer has: {shown})")
        return index[name]

    def column_name(key: str) -> str:
        name = columns.get(key)
        if not isinstance(name, str):
            return key
        return "geometry" if name in (GEOMETRY_X, GEOMETRY_Y) else name

    ix = {key: col(name) for key, name in columns.items() if isinstance(name, str)}
    text_ix = [col(n) for n in (mapping.text_columns() if "text" in columns else [])]
    filters = [(col(c), set(v)) for c, v in mapping.filter.items()]
    template = mapping.id_template
    tpl_cols = template_columns(template) if template else []
    for c in tpl_cols:
        col(c)
    hash_ix: list[int] | None = None
    if mapping.id_hash is not None:
        hash_ix = (list(range(len(header))) if mapping.id_hash == "row"
                   else [col(c) for c in mapping.id_hash])

    cats = dict(Category.objects.filter(city=city, active=True).values_list("slug", "id"))
    orgs = dict(Organisation.objects.filter(city=city).values_list("slug", "id"))
    restricted = []
    for slug in mapping.constants.get("restricted_to", []):
        if slug not in orgs:
            raise FileProblem(f"[constants] restricted_to: no organisation {slug!r} in "
                              f"{city.slug}")
        restricted.append(orgs[slug])
    const = mapping.constants
    if "category" in const and const["category"] not in cats:
        raise FileProblem(f"[constants] category: no active category {const['category']!r}")
    choices = {"setting": set(Setting.values), "visibility": set(Visibility.values),
               "review_status": set(ReviewStatus.values)}
    for key, allowed in choices.items():
        if key in const and const[key] not in allowed:
            raise FileProblem(f"[constants] {key}: one of {', '.join(sorted(allowed))}")
    if const.get("visibility") == Visibility.RESTRICTED and not restricted:
        raise FileProblem("[constants] visibility = \"restricted\" needs restricted_to")

    parse_time = TimeParser(mapping.time_formats, mapping.timezone or city.timezone,
                            mapping.precision)
    parse_instant = TimeParser(mapping.time_formats, mapping.timezone or city.timezone,
                               "instant")
    latest = datetime.now(UTC) + CLOCK_SKEW
    values = mapping.values
    cat_cache: dict[str, int | str] = {}

    def category_of(raw: str) -> int | str:
        hit = cat_cache.get(raw)
        if hit is not None:
            return hit
        table_ = values.get("category")
        if table_ is not None:
            slug = table_.get(raw, table_.get("*"))
            if slug is None:
                out: int | str = f"no value {raw!r} in [values.category]"
            elif slug not in cats:
                out = f"{raw!r} maps to {slug!r}, which is no active category here"
            else:
                out = cats[slug]
        elif not raw:
            out = "missing"
        else:
            out = cats.get(raw, f"unknown category {raw!r}")
        cat_cache[raw] = out
        return out

    def choice(key: str, raw: str, default: str) -> str | tuple[str]:
        table_ = values.get(key)
        if table_ is not None:
            raw = table_.get(raw, table_.get("*", raw))
        if not raw:
            return default
        if raw not in choices[key]:
            return (f"{raw!r} is not one of {', '.join(sorted(choices[key]))}",)
        return raw

    scrub_cache: dict[str, tuple[str, str]] = {}

    def scrub(text: str) -> tuple[str, str]:
        hit = scrub_cache.get(text)
        if hit is None:
            if len(scrub_cache) > 200_000:
                scrub_cache.clear()
            s = scrub_text(text)
            hit = scrub_cache[text] = (s.text, ",".join(s.kinds))
        return hit

    if columns["x"] == GEOMETRY_X and mapping.crs == "EPSG:4326":
        crs = table.crs or "EPSG:4326"
    else:
        crs = mapping.crs
    transform = None
    from pyproj import CRS, Transformer

    if not CRS.from_user_input(crs).equals(CRS.from_epsg(4326)):
        transform = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
    shape = None
    if city.boundary:
        from drugscene.cities.selectors import city_shape

        shape = city_shape(city)

    recs: list[tuple] = []  # one tuple per valid row, in the order of REC_FIELDS
    lons: list[np.ndarray] = []
    lats: list[np.ndarray] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    hash_seen: dict[str, int] = {}
    width = len(header)
    n_rows = n_filtered = 0
    unit = table.unit
    x_name, y_name = column_name("x"), column_name("y")
    time_name = column_name("time")
    get = {key: ix.get(key) for key in FIELDS_OF_ROW}
    i_id, i_x, i_y, i_time = get["id"], get["x"], get["y"], get["time"]
    i_to, i_rep, i_cat = get["time_to"], get["reported_at"], get["category"]
    const_cat = cats[const["category"]] if i_cat is None else None
    const_text = str(const.get("text", ""))
    numbers_mapped = [(key, get[key], limit) for key, limit in
                      (("accuracy_m", MAX_ACCURACY), ("persons", MAX_PERSONS))
                      if get[key] is not None]
    choices_mapped = [(key, get[key], default) for key, default in
                      (("setting", Setting.UNKNOWN), ("visibility", Visibility.PARTNERS),
                       ("review_status", ReviewStatus.NEW)) if get[key] is not None]
    base_small = {"accuracy_m": const.get("accuracy_m"), "persons": const.get("persons", 0),
                  "setting": str(const.get("setting", Setting.UNKNOWN)),
                  "visibility": str(const.get("visibility", Visibility.PARTNERS)),
                  "review_status": str(const.get("review_status", ReviewStatus.NEW))}
    small_default = tuple(base_small.values())
    prefix = mapping.id_prefix
    sha1 = hashlib.sha1

    batch_x: list[float] = []
    batch_y: list[float] = []
    batch: list[tuple] = []
    batch_raw: list[list[str]] = []

    def flush() -> None:
        if not batch:
            return
        x = np.asarray(batch_x, dtype=float)
        y = np.asarray(batch_y, dtype=float)
        if transform is not None:
            with np.errstate(all="ignore"):
                x, y = transform(x, y)
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
        inside = ok.copy()
        if shape is not None and ok.any():
            import shapely

            inside[ok] = shapely.contains_xy(shape, x[ok], y[ok])
        for i in np.flatnonzero(~inside).tolist():
            if not ok[i]:
                reason = "coordinates out of range (after conversion to WGS84)"
            else:
                reason = f"the position ({x[i]:.6f}, {y[i]:.6f}) lies outside {city.name}"
            rejected.append(Rejected(batch[i][0], batch_raw[i], [(x_name, reason)]))
        if inside.all():
            recs.extend(batch)
        else:
            recs.extend(batch[i] for i in np.flatnonzero(inside).tolist())
        lons.append(np.round(x[inside], 7))
        lats.append(np.round(y[inside], 7))
        batch.clear()
        batch_raw.clear()
        batch_x.clear()
        batch_y.clear()

    for number, raw in table.rows:
        n_rows += 1
        if n_rows % BATCH == 0:
            progress("checking", n_rows, max(total, n_rows))
        if len(raw) != width:
            rejected.append(Rejected(number, raw,
                                     [("row", f"{len(raw)} fields, the header has {width}")]))
            continue
        if filters and not all(raw[i] in kept for i, kept in filters):
            n_filtered += 1
            continue
        problems: list[tuple[str, str]] = []

        # external id
        ext = raw[i_id].strip() if i_id is not None else ""
        if not ext and template:
            parts = {c: raw[index[c]].strip() for c in tpl_cols}
            if all(parts.values()):
                ext = template.format_map(parts)
        if not ext and hash_ix is not None:
            digest = sha1("\x1f".join([raw[i] for i in hash_ix]).encode(),
                          usedforsecurity=False).hexdigest()[:20]
            k = hash_seen.get(digest, 0) + 1
            hash_seen[digest] = k
            ext = f"h:{digest}:{k}"
        if ext:
            ext = prefix + ext
            if len(ext) > MAX_ID:
                problems.append((column_name("id"), f"longer than {MAX_ID} characters"))
            elif ext in seen:
                problems.append((column_name("id"), f"{ext!r} also on {unit} {seen[ext]}"))
            else:
                seen[ext] = number
        else:
            problems.append((column_name("id"), "missing external id"))

        # position (converted and tested per batch)
        sx, sy = raw[i_x].strip(), raw[i_y].strip()
        xv, yv = _number(sx), _number(sy)
        if xv is None:
            problems.append((x_name, f"{sx!r} is not a number" if sx else "missing"))
        if yv is None and not (xv is None and x_name == y_name):
            problems.append((y_name, f"{sy!r} is not a number" if sy else "missing"))

        # time
        s = raw[i_time].strip()
        start = end = None
        if not s:
            problems.append((time_name, "missing"))
        else:
            try:
                start, end = parse_time(s)
            except ValueError as exc:
                problems.append((time_name, str(exc)))
            else:
                if start > latest:
                    problems.append((time_name, "lies in the future"))
        if i_to is not None and start is not None:
            s2 = raw[i_to].strip()
            if s2:
                try:
                    end2 = parse_instant(s2)[0]
                except ValueError as exc:
                    problems.append((column_name("time_to"), str(exc)))
                else:
                    if end2 < start:
                        problems.append((column_name("time_to"),
                                         "the end lies before the start"))
                    elif end2 > latest:
                        problems.append((column_name("time_to"), "lies in the future"))
                    end = end2
        reported = end or start
        if i_rep is not None:
            s3 = raw[i_rep].strip()
            if s3:
                try:
                    reported = parse_instant(s3)[0]
                except ValueError as exc:
                    problems.append((column_name("reported_at"), str(exc)))

        # category
        c = category_of(raw[i_cat].strip()) if i_cat is not None else const_cat
        if c.__class__ is str:
            problems.append((column_name("category"), c))

        # free text: joined, length-checked, scrubbed like reports.services
        if text_ix:
            text = TEXT_JOIN.join([v for v in [raw[i].strip() for i in text_ix] if v])
        else:
            text = const_text
        kinds = ""
        if len(text) > MAX_TEXT:
            problems.append((column_name("text"), f"at most {MAX_TEXT} characters"))
        elif text:
            text, kinds = scrub(text)

        # small fields
        if numbers_mapped or choices_mapped:
            small = dict(base_small)
            for key, i, limit in numbers_mapped:
                s4 = raw[i].strip()
                value = None if key == "accuracy_m" else 0
                if s4:
                    try:
                        value = int(float(s4))
                    except ValueError:
                        problems.append((column_name(key), "not a whole number"))
                    else:
                        if not 0 <= value <= limit:
                            problems.append((column_name(key),
                                             f"must be between 0 and {limit}"))
                small[key] = value
            for key, i, default in choices_mapped:
                value = choice(key, raw[i].strip(), str(default))
                if isinstance(value, tuple):
                    problems.append((column_name(key), value[0]))
                small[key] = value
            if small["visibility"] == Visibility.RESTRICTED and not restricted:
                problems.append((column_name("visibility"),
                                 "restricted needs [constants] restricted_to"))
            small_values = tuple(small.values())
        else:
            small_values = small_default

        if problems:
            rejected.append(Rejected(number, raw, problems))
            continue
        batch.append((number, ext, start, end, reported, c, text, kinds, *small_values))
        batch_raw.append(raw)
        batch_x.append(xv)
        batch_y.append(yv)
        if len(batch) >= BATCH:
            flush()
    flush()
    progress("checking", n_rows, n_rows)
    out = Rows()
    if recs:
        for name, values in zip(REC_FIELDS, zip(*recs, strict=True), strict=True):
            setattr(out, name, list(values))
    out.lon = np.concatenate(lons) if lons else np.zeros(0)
    out.lat = np.concatenate(lats) if lats else np.zeros(0)
    rejected.sort(key=lambda r: r.number)
    return Checked(table, out, rejected, rows_in_file=n_rows, rows_filtered=n_filtered,
                   restricted_to=restricted)


REC_FIELDS = ("numbers", "external_id", "occurred_from", "occurred_to", "reported_at",
              "category", "text", "scrubbed", "accuracy_m", "persons", "setting",
              "visibility", "review_status")
FIELDS_OF_ROW = ("id", "x", "y", "time", "time_to", "reported_at", "category", "accuracy_m",
                 "persons", "setting", "visibility", "review_status")


def _number(s: str) -> float | None:
    """A decimal number, with a point or (Swedish, Dutch spreadsheets) a decimal comma."""
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return None

"""Every write of indicators and measurements: the built-in catalogue, one measurement
typed in, and the CSV import. Validated as a whole, free text scrubbed, one transaction,
audited.

Who may enter measurements: analysts, coordinators and administrators of the city (the
roles that may also export; see :func:`can_enter`). Everyone who may see reports in the
city may read the indicators.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.accounts.models import Role
from drugscene.audit import services as audit
from drugscene.cities.models import Area, City
from drugscene.core.errors import NotVisible, PermissionDenied, ValidationFailed
from drugscene.core.validation import Problems, scrubbed, seat_organisation
from drugscene.indicators import catalogue
from drugscene.indicators.models import Computed, Gender, Indicator, Measurement
from drugscene.indicators.parsing import CellError, parse_number, parse_value, same_unit
from drugscene.indicators.periods import PeriodError, parse_period
from drugscene.reports.models import Category

ENTER_ROLES = frozenset({Role.ANALYST, Role.COORDINATOR, Role.ADMIN})
MAX_NOTE = 2000
MAX_SOURCE = 200
MAX_ROWS = 50_000
REQUIRED_COLUMNS = ("indicator", "area", "period", "value", "unit", "source")
OPTIONAL_COLUMNS = ("denominator", "ci_low", "ci_high", "note", "gender", "age_band")
AGE_BAND = re.compile(r"^(\d{1,3}-\d{1,3}|\d{1,3}\+|<\d{1,3})$")


# --- the catalogue --------------------------------------------------------------------------

def ensure_default_indicators(city: City) -> list[Indicator]:
    """Create the built-in indicators of ``city`` where missing (idempotent; an existing
    indicator is left as the city changed it). Returns the city's indicators."""
    have = set(Indicator.objects.filter(city=city).values_list("slug", flat=True))
    new: list[Indicator] = []
    order = 0

    def add(d: catalogue.Definition, **extra) -> None:
        nonlocal order
        order += 1
        if d.slug in have:
            return
        have.add(d.slug)
        new.append(Indicator(
            city=city, slug=d.slug, name=d.name, unit=d.unit, source=d.source,
            caveat=d.caveat, direction=d.direction, frequency=d.frequency, level=d.level,
            by_gender=d.by_gender, by_age=d.by_age, order=order, **extra))

    add(catalogue.REPORTS_ALL, computed=Computed.REPORTS)
    cats = list(Category.objects.filter(city=city, drug_related=True)
                .select_related("parent").order_by("order", "slug"))
    tops = [c for c in cats if c.parent_id is None]
    top_ids = {c.pk for c in tops}
    # the top-level drug categories and their direct children, top first
    for top in tops:
        for cat in [top] + [c for c in cats if c.parent_id == top.pk]:
            assert cat.parent_id is None or cat.parent_id in top_ids
            add(catalogue.Definition(
                catalogue.report_indicator_slug(cat.slug),
                catalogue.REPORT_NAMES.get(cat.slug, cat.name), "reports",
                catalogue.REPORTS_ALL.source, catalogue.REPORTS_CAVEAT,
                direction="down", frequency="month", level="district"),
                computed=Computed.REPORTS, category=cat)
    for d in catalogue.CATALOGUE:
        add(d)
    Indicator.objects.bulk_create(new)
    return list(Indicator.objects.filter(city=city))


# --- permissions ----------------------------------------------------------------------------

def can_enter(viewer: Viewer, city_id: int) -> bool:
    """Analysts, coordinators and administrators of the city enter measurements."""
    if viewer.is_superuser:
        return True
    return any(s.role in ENTER_ROLES for s in viewer.seats if s.city_id == city_id)


def require_enter(viewer: Viewer, city_id: int) -> None:
    if not can_enter(viewer, city_id):
        raise PermissionDenied(_("Only analysts and coordinators enter measurements."))


# --- one measurement ------------------------------------------------------------------------

@dataclass
class MeasurementInput:
    """The cells of one measurement as typed (text: the form and the CSV share the rules)."""

    period: str
    value: str
    area: str = ""
    unit: str = ""
    source: str = ""
    denominator: str = ""
    ci_low: str = ""
    ci_high: str = ""
    note: str = ""
    gender: str = ""
    age_band: str = ""


@dataclass
class Clean:
    """A validated measurement cell and its values."""

    indicator: Indicator
    period_start: date
    period_end: date
    area: Area | None
    gender: str
    age_band: str
    values: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.indicator.pk, self.period_start, self.period_end,
                self.area.pk if self.area else None, self.gender, self.age_band)


def _optional_number(errors: Problems, name: str, text: str) -> float | None:
    if not (text or "").strip():
        return None
    try:
        return parse_number(text)
    except CellError as exc:
        errors.add(name, str(exc))
        return None


def clean_measurement(indicator: Indicator, areas: dict[str, Area], data: MeasurementInput,
                      *, unit_required: bool) -> Clean:
    """Validate one measurement of ``indicator``; every problem is raised at once, keyed
    by the CSV column / form field name. ``areas`` maps district slugs to districts."""
    errors = Problems()
    if indicator.computed:
        errors.add("indicator", _("This indicator is computed from the reports; it cannot "
                                  "be typed in or imported."))
    area_text = (data.area or "").strip()
    area = None
    if area_text and area_text != indicator.city.slug:
        area = areas.get(area_text)
        if area is None:
            errors.add("area", _("Unknown district “%(slug)s” (leave empty or write the city "
                                 "slug for the whole city).") % {"slug": area_text})
    start = end = None
    try:
        start, end = parse_period(data.period)
    except PeriodError:
        errors.add("period", _("“%(text)s” is not a period: write 2025, 2025-Q1, 2025-03, "
                               "2025-W07, 2025-03-01 or 2025-03-01/2025-03-31.")
                   % {"text": (data.period or "").strip()})
    value = None
    try:
        value = parse_value(data.value)
    except CellError as exc:
        errors.add("value", str(exc))
    if value is not None and value.value is not None and value.value < 0:
        errors.add("value", _("The value must not be negative."))
        value = None
    if value is not None and value.value is not None and indicator.unit == "%" \
            and value.value > 100:
        errors.add("value", _("A percentage cannot be above 100."))
    unit = (data.unit or "").strip()
    if (unit or unit_required) and not same_unit(unit, indicator.unit):
        errors.add("unit", _("The unit is “%(given)s” but the indicator is measured in "
                             "“%(unit)s”.") % {"given": unit, "unit": indicator.unit})
    denominator = _optional_number(errors, "denominator", data.denominator)
    if denominator is not None and denominator <= 0:
        errors.add("denominator", _("The denominator must be above zero."))
    ci_low = _optional_number(errors, "ci_low", data.ci_low)
    ci_high = _optional_number(errors, "ci_high", data.ci_high)
    if (ci_low is None) != (ci_high is None) and not errors.errors.keys() & {"ci_low",
                                                                             "ci_high"}:
        errors.add("ci_high" if ci_high is None else "ci_low",
                   _("Give both ends of the confidence interval, or neither."))
    elif ci_low is not None and ci_high is not None:
        if ci_low > ci_high:
            errors.add("ci_low", _("The interval's low end is above its high end."))
        elif value is not None and value.value is not None \
                and not ci_low <= value.value <= ci_high:
            errors.add("ci_low", _("The value lies outside its confidence interval."))
    gender = (data.gender or "").strip().lower()
    if gender in ("all", "total"):
        gender = ""
    if gender:
        if gender not in Gender.values:
            errors.add("gender", _("Write female, male, other or leave it empty."))
        elif not indicator.by_gender:
            errors.add("gender", _("This indicator has no breakdown by gender."))
    age_band = (data.age_band or "").strip()
    if age_band.lower() in ("all", "total"):
        age_band = ""
    if age_band:
        if not AGE_BAND.match(age_band):
            errors.add("age_band", _("Write an age band as 15-17, 65+ or <15."))
        elif not indicator.by_age:
            errors.add("age_band", _("This indicator has no breakdown by age band."))
    note = (data.note or "").strip()
    if len(note) > MAX_NOTE:
        errors.add("note", _("At most %(n)s characters.") % {"n": MAX_NOTE})
    source = (data.source or "").strip()
    if len(source) > MAX_SOURCE:
        errors.add("source", _("At most %(n)s characters.") % {"n": MAX_SOURCE})
    errors.raise_if_any()
    assert start is not None and end is not None and value is not None
    return Clean(indicator, start, end, area, gender, age_band, {
        "value": value.value, "below_lod": value.below_lod, "lod": value.lod,
        "denominator": denominator, "ci_low": ci_low, "ci_high": ci_high,
        "note": scrubbed(note), "source": scrubbed(source) or indicator.source,
    })


def _find_cell(c: Clean) -> Measurement | None:
    """The stored measurement of the same cell (looked up: SQLite treats the empty area
    and place as distinct in the unique constraint)."""
    return Measurement.objects.filter(
        indicator=c.indicator, period_start=c.period_start, period_end=c.period_end,
        area=c.area, place__isnull=True, gender=c.gender, age_band=c.age_band).first()


def _upsert(viewer: Viewer, c: Clean, channel: str) -> str:
    """Write one cell; ``"created"``, ``"updated"`` or ``"unchanged"``."""
    city_id = c.indicator.city_id
    old = _find_cell(c)
    if old is None:
        m = Measurement.objects.create(
            indicator=c.indicator, period_start=c.period_start, period_end=c.period_end,
            area=c.area, gender=c.gender, age_band=c.age_band, created_by_id=viewer.user_id,
            **c.values)
        audit.record(action="create", obj=m, changes=_snapshot(m), user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, city_id), channel=channel)
        return "created"
    before = _snapshot(old)
    for name, value in c.values.items():
        setattr(old, name, value)
    changes = audit.diff(before, _snapshot(old))
    if not changes:
        return "unchanged"
    old.save()
    audit.record(action="update", obj=old, changes=changes, user_id=viewer.user_id,
                 organisation_id=seat_organisation(viewer, city_id), channel=channel)
    return "updated"


def _snapshot(m: Measurement) -> dict:
    data = audit.snapshot(m)
    data.pop("created_at", None)
    data.pop("created_by_id", None)
    return data


def _areas(city: City) -> dict[str, Area]:
    return {a.slug: a for a in Area.objects.filter(city=city)}


def save_measurement(viewer: Viewer, indicator: Indicator, data: MeasurementInput) -> str:
    """Type in one measurement (the unit may be left out); the same cell is overwritten.
    Returns ``"created"``, ``"updated"`` or ``"unchanged"``."""
    require_enter(viewer, indicator.city_id)
    clean = clean_measurement(indicator, _areas(indicator.city), data, unit_required=False)
    with transaction.atomic():
        return _upsert(viewer, clean, "web")


def delete_measurement(viewer: Viewer, measurement_id: int) -> Measurement:
    m = Measurement.objects.select_related("indicator").filter(pk=measurement_id).first()
    if m is None or not (viewer.is_superuser or m.indicator.city_id in viewer.city_ids):
        raise NotVisible(_("Measurement %(id)s not found.") % {"id": measurement_id})
    require_enter(viewer, m.indicator.city_id)
    with transaction.atomic():
        audit.record(action="delete", obj=m, changes=_snapshot(m), user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, m.indicator.city_id))
        m.delete()
    return m


# --- the CSV import -------------------------------------------------------------------------

class ImportFailed(ValidationFailed):
    """A file with problems: ``lines`` holds every ``line N: column: reason``; nothing was
    imported."""

    code = "import_failed"

    def __init__(self, lines: list[str]):
        super().__init__(lines[0], errors={"file": lines})
        self.lines = lines


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and ``(line number, row)``; the delimiter is a comma (or a semicolon when the
    header has semicolons and no comma, as spreadsheets write in many European locales)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    rows = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            rows.append((reader.line_num, record))
    except csv.Error as exc:
        raise ImportFailed([_("line %(n)s: file: %(reason)s")
                            % {"n": reader.line_num, "reason": exc}]) from None
    return [h.strip().lower() for h in header], rows


def import_csv(viewer: Viewer, city: City, data: bytes | str, *,
               channel: str = "web") -> ImportResult:
    """Import measurements from CSV ``indicator,area,period,value,unit,source`` (optional
    ``denominator,ci_low,ci_high,note,gender,age_band``).

    The whole file is checked first; if any row is bad, :class:`ImportFailed` lists every
    problem as ``line N: column: reason`` and nothing is written. A clean file is written
    in one transaction, one cell at a time: a cell already stored is updated, so importing
    the same file twice changes nothing.
    """
    require_enter(viewer, city.pk)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFailed([_("line 1: file: the file is not UTF-8 text (byte %(pos)s).")
                                % {"pos": exc.start}]) from None
    else:
        text = data.lstrip("\ufeff")
    header, rows = _read_rows(text)
    problems: list[str] = []

    def problem(line: int, column: str, reason: str) -> None:
        problems.append(_("line %(n)s: %(column)s: %(reason)s")
                        % {"n": line, "column": column, "reason": reason})

    if not header:
        raise ImportFailed([_("line 1: file: the file is empty.")])
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    for c in missing:
        problem(1, c, _("the column is missing."))
    for c in unknown:
        problem(1, c or "?", _("unknown column (allowed: %(columns)s).")
                % {"columns": ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})
    if len(set(header)) != len(header):
        problem(1, "header", _("a column appears twice."))
    if problems:
        raise ImportFailed(problems)
    if not rows:
        raise ImportFailed([_("line 2: file: the file has no rows.")])
    if len(rows) > MAX_ROWS:
        raise ImportFailed([_("line %(n)s: file: at most %(max)s rows per file.")
                            % {"n": rows[MAX_ROWS][0], "max": MAX_ROWS}])
    indicators = {i.slug: i for i in Indicator.objects.filter(city=city).select_related("city")}
    areas = _areas(city)
    cleaned: list[Clean] = []
    seen: dict[tuple, int] = {}
    for line, record in rows:
        if len(record) != len(header):
            problem(line, "file", _("%(got)s cells where the header has %(want)s.")
                    % {"got": len(record), "want": len(header)})
            continue
        row = dict(zip(header, record, strict=True))
        slug = row["indicator"].strip()
        indicator = indicators.get(slug)
        if indicator is None:
            problem(line, "indicator", _("unknown indicator “%(slug)s”.") % {"slug": slug})
            continue
        try:
            clean = clean_measurement(indicator, areas, MeasurementInput(
                **{k: row.get(k, "") for k in REQUIRED_COLUMNS[1:] + OPTIONAL_COLUMNS}),
                unit_required=True)
        except ValidationFailed as exc:
            for column, messages in exc.errors.items():
                for message in messages:
                    problem(line, column, message)
            continue
        if clean.key in seen:
            problem(line, "period", _("the same indicator, area and period as line %(n)s.")
                    % {"n": seen[clean.key]})
            continue
        seen[clean.key] = line
        cleaned.append(clean)
    if problems:
        raise ImportFailed(problems)
    result = ImportResult(rows=len(cleaned))
    with transaction.atomic():
        for clean in cleaned:
            outcome = _upsert(viewer, clean, channel)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result

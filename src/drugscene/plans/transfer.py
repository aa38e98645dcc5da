"""A plan's actions as a CSV or XLSX file, and back.

Columns (the first row names them, in any order): ``number,title,pillar,themes,
lead_organisation,partners,budget_eur,start,end,status`` and optionally ``spent_eur,
description,working_group,goals``. Lists (themes, partners, goals) are separated by ``;``.
See docs/guides/drug-policy-plan.md.

The whole file is checked before anything is written: every bad row is reported as
``line N: column: reason (value)`` and nothing is imported until the file is clean; a clean
file is imported in one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.accounts.models import Organisation, OrganisationKind
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import ValidationFailed
from drugscene.core.validation import scrubbed, seat_organisation
from drugscene.plans import services
from drugscene.plans.models import (
    DEFAULT_PILLARS,
    Goal,
    GroupKind,
    Plan,
    PlanAction,
    PlanActionStatus,
    PlanGroup,
    Theme,
)

REQUIRED = ("number", "title", "pillar", "themes", "lead_organisation", "partners",
            "budget_eur", "start", "end", "status")
OPTIONAL = ("spent_eur", "description", "working_group", "goals")
COLUMNS = REQUIRED + OPTIONAL
MAX_ROWS = 5000


class ImportFailed(ValidationFailed):
    """The file is not clean: ``lines`` lists every problem as ``line N: …``."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__(lines[0], errors={"file": lines})


# --- reading --------------------------------------------------------------------------------

def _cell(value) -> str:
    """An XLSX cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and ``(line number, {column: text})`` of a CSV or XLSX file."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is reported alike
            raise ImportFailed([_("line 1: not a readable XLSX file (%(reason)s)")
                                % {"reason": exc}]) from None
        ws = wb.worksheets[0]
        values = list(ws.iter_rows(values_only=True))
        wb.close()
        if not values:
            return [], []
        header = [_cell(h).lower() for h in values[0]]
        out = []
        for i, row in enumerate(values[1:], start=2):
            cells = {}
            for j, h in enumerate(header):
                v = row[j] if j < len(row) else None
                if h in ("budget_eur", "spent_eur") and isinstance(v, int | float) \
                        and not isinstance(v, bool):
                    cells[h] = _eur(Decimal(str(v)).quantize(Decimal("0.01")))
                elif h:
                    cells[h] = _cell(v)
            if any(cells.values()):
                out.append((i, cells))
        return header, out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([_("line 1: the file is not UTF-8 text")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    out = []
    line = 0
    for row in reader:
        first = line + 1
        line = reader.line_num
        if not header:
            header = [h.strip().lower() for h in row]
            continue
        if not any(c.strip() for c in row):
            continue
        out.append((first, {h: (row[j].strip() if j < len(row) else "")
                            for j, h in enumerate(header) if h}))
    return header, out


# --- checking -------------------------------------------------------------------------------

@dataclass
class Row:
    line: int
    number: str
    title: str
    pillar: str
    themes: list[str]
    lead: Organisation | None
    partners: list[Organisation]
    budget: Decimal | None
    spent: Decimal | None
    start: date | None
    end: date | None
    status: str
    description: str
    working_group: str
    goals: list[str] = field(default_factory=list)


def _split(text: str) -> list[str]:
    out = []
    for part in (text or "").split(";"):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def _amount(value: str) -> Decimal | None:
    if not value:
        return None
    amount = Decimal(value.replace(" ", "").replace("\u00a0", ""))
    if not amount.is_finite() or amount < 0 or amount > services.MAX_EUR:
        raise InvalidOperation
    return amount.quantize(Decimal("0.01"))


class _Lookup:
    """Organisations of the city and the default pillars, by every name a file may use."""

    def __init__(self, city: City) -> None:
        self.orgs: dict[str, Organisation] = {}
        for o in (Organisation.objects.filter(city=city)
                  .exclude(kind=OrganisationKind.CITIZEN_CHANNEL)):
            self.orgs[o.slug.lower()] = o
            self.orgs[o.name.strip().lower()] = o
        self.pillars: dict[str, str] = {}
        for code, name in DEFAULT_PILLARS:
            for key in (code, name, _(name), code.replace("_", " ")):
                self.pillars[key.strip().lower()] = code


def check_rows(city: City, header: list[str], rows: list[tuple[int, dict]]
               ) -> tuple[list[Row], list[str]]:
    """Every row checked: the clean rows and the problems, ``line N: column: reason``."""
    problems: list[str] = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [_("line 1: missing column(s): %(columns)s") % {"columns": ", ".join(missing)}]
    if not rows:
        return [], [_("line 2: the file has no actions")]
    if len(rows) > MAX_ROWS:
        return [], [_("line %(line)s: more than %(n)s actions") % {"line": rows[MAX_ROWS][0],
                                                                 "n": MAX_ROWS}]
    look = _Lookup(city)
    seen: dict[str, int] = {}
    clean: list[Row] = []

    for line, raw in rows:
        bad = len(problems)

        def add(column: str, reason: str, value: str = "", *, line=line) -> None:
            text = f"{reason} ({value})" if value else reason
            problems.append(_("line %(line)s: %(column)s: %(reason)s")
                            % {"line": line, "column": column, "reason": text})

        def text(column: str, limit: int, *, required: bool = False, raw=raw) -> str:
            value = (raw.get(column) or "").strip()
            if required and not value:
                add(column, _("required"))
            elif len(value) > limit:
                add(column, _("longer than %(n)s characters") % {"n": limit})
            return value

        number = text("number", 20, required=True)
        if number and number in seen:
            add("number", _("the same number as line %(other)s") % {"other": seen[number]},
                number)
        elif number:
            seen[number] = line
        title = text("title", services.MAX_TITLE, required=True)
        pillar_text = text("pillar", 120, required=True)
        pillar = look.pillars.get(pillar_text.lower(), "")
        if pillar_text and not pillar:
            add("pillar", _("unknown pillar"), pillar_text)
        themes = _split(raw.get("themes", ""))
        for t in themes:
            if len(t) > 200:
                add("themes", _("longer than %(n)s characters") % {"n": 200}, t[:40])
        lead = None
        lead_text = text("lead_organisation", 160)
        if lead_text:
            lead = look.orgs.get(lead_text.lower())
            if lead is None:
                add("lead_organisation", _("unknown organisation"), lead_text)
        partners = []
        for name in _split(raw.get("partners", "")):
            org = look.orgs.get(name.lower())
            if org is None:
                add("partners", _("unknown organisation"), name)
            elif org not in partners:
                partners.append(org)
        amounts = {}
        for column in ("budget_eur", "spent_eur"):
            value = (raw.get(column) or "").strip()
            try:
                amounts[column] = _amount(value)
            except (InvalidOperation, ValueError):
                add(column, _("not an amount of 0 or more"), value)
                amounts[column] = None
        days = {}
        for column in ("start", "end"):
            value = (raw.get(column) or "").strip()
            days[column] = None
            if value:
                try:
                    day = date.fromisoformat(value)
                except ValueError:
                    add(column, _("not a date"), value)
                    continue
                if not services.EARLIEST <= day <= services.LATEST:
                    add(column, _("outside %(first)s to %(last)s")
                        % {"first": services.EARLIEST.isoformat(),
                           "last": services.LATEST.isoformat()}, value)
                    continue
                days[column] = day
        if days["start"] and days["end"] and days["end"] < days["start"]:
            add("end", _("before the start"), days["end"].isoformat())
        status = (raw.get("status") or "").strip().lower() or PlanActionStatus.PLANNED
        if status not in PlanActionStatus.values:
            add("status", _("unknown status; use one of %(values)s")
                % {"values": ", ".join(PlanActionStatus.values)}, raw.get("status", ""))
        description = text("description", services.MAX_TEXT)
        group = text("working_group", 200)
        goals = _split(raw.get("goals", ""))
        for g in goals:
            if len(g) > 20:
                add("goals", _("a goal code is at most %(n)s characters") % {"n": 20}, g)
        if len(problems) == bad:
            clean.append(Row(line, number, title, pillar, themes, lead, partners,
                             amounts["budget_eur"], amounts["spent_eur"], days["start"],
                             days["end"], status, description, group, goals))
    return clean, problems


# --- importing ------------------------------------------------------------------------------

def import_plan(viewer: Viewer, city: City, data: bytes, filename: str,
                title: str = "") -> Plan:
    """A new plan of ``city`` from the file, or :class:`ImportFailed` naming every bad line
    (nothing written). The plan's period runs from the first start to the last end."""
    services._require_editor(viewer, city.pk)
    header, raw = read_rows(data, filename)
    rows, problems = check_rows(city, header, raw)
    if problems:
        raise ImportFailed(problems)
    starts = [r.start for r in rows if r.start]
    ends = [r.end for r in rows if r.end]
    period_start = min(starts) if starts else date(date.today().year, 1, 1)
    period_end = max([*ends, *starts]) if ends else date(period_start.year + 5, 12, 31)
    title = (title or "").strip() or Path(filename).stem
    clean_plan = services._clean_plan(services.PlanInput(
        title=title[:services.MAX_TITLE], period_start=period_start, period_end=period_end))
    themes: list[str] = []
    for r in rows:
        themes += [t for t in r.themes if t not in themes]
    with transaction.atomic():
        plan = services._new_plan(city, clean_plan, [])
        theme_objs = {}
        used_codes: set[str] = set()
        for i, name in enumerate(themes):
            code = slugify(name)[:60] or f"theme-{i + 1}"
            while code in used_codes:
                code = f"{code[:56]}-{i + 1}"
            used_codes.add(code)
            theme_objs[name] = Theme.objects.create(plan=plan, code=code, name=name, order=i)
        pillars = {p.code: p for p in plan.pillars.all()}
        groups: dict[str, PlanGroup] = {}
        goals: dict[str, Goal] = {}
        for r in rows:
            group = None
            if r.working_group:
                group = groups.get(r.working_group)
                if group is None:
                    group = groups[r.working_group] = PlanGroup.objects.create(
                        plan=plan, kind=GroupKind.WORKING, name=scrubbed(r.working_group))
            action = PlanAction.objects.create(
                plan=plan, number=r.number, title=scrubbed(r.title),
                description=scrubbed(r.description), pillar=pillars[r.pillar],
                lead_organisation=r.lead, working_group=group, budget_eur=r.budget,
                spent_eur=r.spent, start=r.start, end=r.end, status=r.status)
            action.themes.set([theme_objs[t] for t in r.themes])
            action.partners.set(r.partners)
            served = []
            for code in r.goals:
                if code not in goals:
                    goals[code] = Goal.objects.create(plan=plan, code=code, title=code)
                served.append(goals[code])
            action.goals.set(served)
        audit.record(action="import", obj=plan,
                     changes={**audit.snapshot(plan), "file": Path(filename).name,
                              "actions": len(rows)},
                     user_id=viewer.user_id, organisation_id=seat_organisation(viewer, city.pk))
    return plan


# --- exporting ------------------------------------------------------------------------------

def _eur(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def export_rows(plan: Plan) -> list[dict[str, str]]:
    """The plan's actions as rows of text, in the documented columns. Lists are written
    in a fixed order: themes in the plan's order, partners by name, goals by code."""
    rows = []
    actions = (plan.actions.select_related("pillar", "lead_organisation", "working_group")
               .prefetch_related("themes", "partners", "goals").order_by("id"))
    for a in actions:
        rows.append({
            "number": a.number, "title": a.title, "pillar": a.pillar.code,
            "themes": ";".join(t.name for t in sorted(a.themes.all(),
                                                      key=lambda t: (t.order, t.pk))),
            "lead_organisation": a.lead_organisation.name if a.lead_organisation else "",
            "partners": ";".join(sorted(o.name for o in a.partners.all())),
            "budget_eur": _eur(a.budget_eur),
            "start": a.start.isoformat() if a.start else "",
            "end": a.end.isoformat() if a.end else "",
            "status": a.status,
            "spent_eur": _eur(a.spent_eur),
            "description": a.description,
            "working_group": a.working_group.name if a.working_group else "",
            "goals": ";".join(sorted(g.code for g in a.goals.all())),
        })
    return rows


def export_csv(plan: Plan) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(plan))
    return out.getvalue().encode("utf-8")


def export_xlsx(plan: Plan) -> bytes:
    """One sheet, text cells except dates (real dates) and amounts (numbers)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "actions"
    ws.append(list(COLUMNS))
    for row in export_rows(plan):
        cells = []
        for c in COLUMNS:
            value = row[c]
            if value and c in ("start", "end"):
                cells.append(date.fromisoformat(value))
            elif value and c in ("budget_eur", "spent_eur"):
                d = Decimal(value)
                cells.append(int(d) if d == d.to_integral_value() else float(d))
            else:
                cells.append(value)
        ws.append(cells)
        for col in ("H", "I"):  # start, end
            ws[f"{col}{ws.max_row}"].number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

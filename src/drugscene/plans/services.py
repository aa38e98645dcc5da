"""Every write of drug-policy plans: validated (all problems at once, by field), free text
scrubbed, one transaction, one audit entry.

Who may write:

* coordinators and administrators (``Perm.MANAGE_PLACES``) keep the plan: its goals,
  sub-goals, actions, milestones and the import;
* progress (a note, a new status, the amount spent, a milestone done) is also recorded by
  the city's analysts and by members of the action's lead organisation who may report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from drugscene.accounts.access import PERMISSIONS, Perm, Viewer
from drugscene.accounts.models import Organisation, OrganisationKind, Role
from drugscene.audit import services as audit
from drugscene.cities.models import Area, City
from drugscene.core.errors import PermissionDenied
from drugscene.core.validation import Problems, scrubbed, seat_organisation
from drugscene.indicators.models import Indicator
from drugscene.plans import selectors
from drugscene.plans.models import (
    DEFAULT_PILLARS,
    BudgetLine,
    Goal,
    GroupKind,
    GroupMeeting,
    Milestone,
    Pillar,
    Plan,
    PlanAction,
    PlanActionStatus,
    PlanGroup,
    ProgressNote,
    SubGoal,
    Theme,
)
from drugscene.scenes.checks import city_today

COORDINATE = Perm.MANAGE_PLACES
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_EUR = Decimal("999999999999.99")
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def may_edit(viewer: Viewer, city_id: int) -> bool:
    """Coordinators (and administrators) keep the plan."""
    return viewer.can(COORDINATE, city_id)


def may_report_progress(viewer: Viewer, action: PlanAction) -> bool:
    """Coordinators, the city's analysts, and reporters of the lead organisation."""
    city_id = action.plan.city_id
    if may_edit(viewer, city_id):
        return True
    for s in viewer.seats:
        if s.city_id != city_id:
            continue
        if s.role == Role.ANALYST:
            return True
        if (s.organisation_id == action.lead_organisation_id
                and Perm.CREATE_REPORT in PERMISSIONS[s.role]):
            return True
    return False


def _require_editor(viewer: Viewer, city_id: int) -> None:
    if not may_edit(viewer, city_id):
        raise PermissionDenied(_("Only coordinators keep the drug-policy plan."))


def check_text(problems: Problems, name: str, value: str | None, limit: int, *,
               required: bool = False, missing: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        problems.add(name, missing or _("This field is required."))
    elif len(value) > limit:
        problems.add(name, _("At most %(n)s characters.") % {"n": limit})
    return scrubbed(value)


def check_day(problems: Problems, name: str, value: date | None, *,
              required: bool = False) -> date | None:
    if value is None:
        if required:
            problems.add(name, _("A date is required."))
        return None
    if not EARLIEST <= value <= LATEST:
        problems.add(name, _("The date lies outside %(first)s to %(last)s.")
                     % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()})
        return None
    return value


def check_eur(problems: Problems, name: str, value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(value)
        if not amount.is_finite() or amount < 0 or amount > MAX_EUR:
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        problems.add(name, _("Give an amount of 0 or more."))
        return None
    return amount.quantize(Decimal("0.01"))


def _record(viewer: Viewer, city_id: int, action: str, obj, changes: dict) -> None:
    audit.record(action=action, obj=obj, changes=changes, user_id=viewer.user_id,
                 organisation_id=seat_organisation(viewer, city_id))


# --- plans ----------------------------------------------------------------------------------

@dataclass
class PlanInput:
    title: str
    period_start: date | None
    period_end: date | None
    approved_on: date | None = None
    approved_by: str = ""
    yearly_budget_eur: Decimal | str | None = None
    summary: str = ""
    #: ``(code, name)`` of the priority themes of a new plan
    themes: list[tuple[str, str]] = field(default_factory=list)


def _clean_plan(data: PlanInput) -> dict:
    p = Problems()
    title = check_text(p, "title", data.title, MAX_TITLE, required=True,
                       missing=_("Give the plan a title."))
    start = check_day(p, "period_start", data.period_start, required=True)
    end = check_day(p, "period_end", data.period_end, required=True)
    if start and end and end < start:
        p.add("period_end", _("The period ends before it starts."))
    approved_on = check_day(p, "approved_on", data.approved_on)
    approved_by = check_text(p, "approved_by", data.approved_by, MAX_TITLE)
    budget = check_eur(p, "yearly_budget_eur", data.yearly_budget_eur)
    summary = check_text(p, "summary", data.summary, MAX_TEXT)
    p.raise_if_any()
    return {"title": title, "period_start": start, "period_end": end,
            "approved_on": approved_on, "approved_by": approved_by,
            "yearly_budget_eur": budget, "summary": summary}


def _new_plan(city: City, clean: dict, themes: list[tuple[str, str]]) -> Plan:
    plan = Plan.objects.create(city=city, **clean)
    Pillar.objects.bulk_create([Pillar(plan=plan, code=c, name=n, order=i)
                                for i, (c, n) in enumerate(DEFAULT_PILLARS)])
    Theme.objects.bulk_create([Theme(plan=plan, code=c, name=n, order=i)
                               for i, (c, n) in enumerate(themes)])
    PlanGroup.objects.create(plan=plan, kind=GroupKind.STEERING, name=_("Steering group"))
    return plan


def create_plan(viewer: Viewer, city: City, data: PlanInput) -> Plan:
    """A new plan with Ghent's five pillars (and the given priority themes)."""
    _require_editor(viewer, city.pk)
    clean = _clean_plan(data)
    with transaction.atomic():
        plan = _new_plan(city, clean, data.themes)
        _record(viewer, city.pk, "create", plan, audit.snapshot(plan))
    return plan


def update_plan(viewer: Viewer, plan_id: int, data: PlanInput) -> Plan:
    plan = selectors.get_plan(viewer, plan_id)
    _require_editor(viewer, plan.city_id)
    clean = _clean_plan(data)
    with transaction.atomic():
        before = audit.snapshot(plan)
        for k, v in clean.items():
            setattr(plan, k, v)
        plan.save()
        changes = audit.diff(before, audit.snapshot(plan))
        changes.pop("updated_at", None)
        if changes:
            _record(viewer, plan.city_id, "update", plan, changes)
    return plan


def add_budget_line(viewer: Viewer, plan_id: int, label: str, amount_eur,
                    year: int | None = None) -> BudgetLine:
    plan = selectors.get_plan(viewer, plan_id)
    _require_editor(viewer, plan.city_id)
    p = Problems()
    label = check_text(p, "label", label, MAX_TITLE, required=True)
    amount = check_eur(p, "amount_eur", amount_eur)
    if amount is None and "amount_eur" not in p.errors:
        p.add("amount_eur", _("Give an amount of 0 or more."))
    if year is not None and not plan.period_start.year <= year <= plan.period_end.year:
        p.add("year", _("The year lies outside the plan's period."))
    p.raise_if_any()
    with transaction.atomic():
        line = BudgetLine.objects.create(plan=plan, label=label, amount_eur=amount, year=year)
        _record(viewer, plan.city_id, "create", line, audit.snapshot(line))
    return line


# --- goals and sub-goals --------------------------------------------------------------------

@dataclass
class GoalInput:
    code: str
    title: str
    pillar_id: int | None = None


def _clean_goal(plan: Plan, data: GoalInput, goal: Goal | None = None) -> dict:
    p = Problems()
    code = check_text(p, "code", data.code, 20, required=True)
    title = check_text(p, "title", data.title, 300, required=True)
    if code and plan.goals.filter(code=code).exclude(pk=goal.pk if goal else None).exists():
        p.add("code", _("Another goal of the plan has this code."))
    pillar = None
    if data.pillar_id is not None:
        pillar = plan.pillars.filter(pk=data.pillar_id).first()
        if pillar is None:
            p.add("pillar", _("Unknown pillar."))
    p.raise_if_any()
    return {"code": code, "title": title, "pillar": pillar}


def save_goal(viewer: Viewer, plan_id: int, data: GoalInput,
              goal_id: int | None = None) -> Goal:
    plan = selectors.get_plan(viewer, plan_id)
    _require_editor(viewer, plan.city_id)
    goal = plan.goals.filter(pk=goal_id).first() if goal_id is not None else None
    if goal_id is not None and goal is None:
        raise PermissionDenied(_("This goal belongs to another plan."))
    clean = _clean_goal(plan, data, goal)
    with transaction.atomic():
        if goal is None:
            goal = Goal.objects.create(plan=plan, **clean)
            _record(viewer, plan.city_id, "create", goal, audit.snapshot(goal))
        else:
            before = audit.snapshot(goal)
            for k, v in clean.items():
                setattr(goal, k, v)
            goal.save()
            _record(viewer, plan.city_id, "update", goal,
                    audit.diff(before, audit.snapshot(goal)))
    return goal


@dataclass
class SubGoalInput:
    title: str
    indicator_id: int | None = None
    baseline: float | None = None
    target: float | None = None
    deadline: date | None = None
    area_id: int | None = None


def _clean_sub_goal(plan: Plan, data: SubGoalInput) -> dict:
    p = Problems()
    title = check_text(p, "title", data.title, 300, required=True)
    indicator = area = None
    if data.indicator_id is not None:
        indicator = Indicator.objects.filter(city_id=plan.city_id, pk=data.indicator_id).first()
        if indicator is None:
            p.add("indicator", _("Unknown indicator."))
    if data.area_id is not None:
        area = Area.objects.filter(city_id=plan.city_id, pk=data.area_id).first()
        if area is None:
            p.add("area", _("Unknown district."))
    for name in ("baseline", "target"):
        value = getattr(data, name)
        if value is not None and (value != value or abs(value) == float("inf")):
            p.add(name, _("Not a number."))
    deadline = check_day(p, "deadline", data.deadline)
    if deadline and deadline < plan.period_start:
        p.add("deadline", _("The deadline lies before the plan starts."))
    p.raise_if_any()
    return {"title": title, "indicator": indicator, "baseline": data.baseline,
            "target": data.target, "deadline": deadline, "area": area}


def save_sub_goal(viewer: Viewer, goal_id: int, data: SubGoalInput,
                  sub_goal_id: int | None = None) -> SubGoal:
    goal = Goal.objects.select_related("plan", "plan__city").filter(pk=goal_id).first()
    if goal is None or not selectors.visible_plans(viewer).filter(pk=goal.plan_id).exists():
        from drugscene.core.errors import NotVisible

        raise NotVisible(_("Goal %(id)s not found.") % {"id": goal_id})
    plan = goal.plan
    _require_editor(viewer, plan.city_id)
    sub = goal.sub_goals.filter(pk=sub_goal_id).first() if sub_goal_id is not None else None
    clean = _clean_sub_goal(plan, data)
    with transaction.atomic():
        if sub is None:
            sub = SubGoal.objects.create(goal=goal, **clean)
            _record(viewer, plan.city_id, "create", sub, audit.snapshot(sub))
        else:
            before = audit.snapshot(sub)
            for k, v in clean.items():
                setattr(sub, k, v)
            sub.save()
            _record(viewer, plan.city_id, "update", sub, audit.diff(before,
                                                                    audit.snapshot(sub)))
    return sub


def remove_sub_goal(viewer: Viewer, sub_goal_id: int) -> None:
    sub = selectors.get_sub_goal(viewer, sub_goal_id)
    city_id = sub.goal.plan.city_id
    _require_editor(viewer, city_id)
    with transaction.atomic():
        _record(viewer, city_id, "delete", sub, audit.snapshot(sub))
        sub.delete()


# --- plan actions ---------------------------------------------------------------------------

@dataclass
class PlanActionInput:
    number: str
    title: str
    pillar_id: int | None
    description: str = ""
    theme_ids: list[int] = field(default_factory=list)
    goal_ids: list[int] = field(default_factory=list)
    lead_organisation_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)
    working_group_id: int | None = None
    budget_eur: Decimal | str | None = None
    start: date | None = None
    end: date | None = None


def _clean_plan_action(plan: Plan, data: PlanActionInput,
                       action: PlanAction | None = None) -> tuple[dict, dict]:
    p = Problems()
    number = check_text(p, "number", data.number, 20, required=True)
    if number and plan.actions.filter(number=number).exclude(
            pk=action.pk if action else None).exists():
        p.add("number", _("Another action of the plan has this number."))
    title = check_text(p, "title", data.title, MAX_TITLE, required=True)
    description = check_text(p, "description", data.description, MAX_TEXT)
    pillar = plan.pillars.filter(pk=data.pillar_id).first() if data.pillar_id else None
    if pillar is None:
        p.add("pillar", _("Unknown pillar."))
    themes = list(plan.themes.filter(pk__in=set(data.theme_ids)))
    if len(themes) != len(set(data.theme_ids)):
        p.add("themes", _("Unknown value."))
    goals = list(plan.goals.filter(pk__in=set(data.goal_ids)))
    if len(goals) != len(set(data.goal_ids)):
        p.add("goals", _("Unknown value."))
    orgs = partner_organisations(plan.city_id)
    lead = None
    if data.lead_organisation_id is not None:
        lead = orgs.filter(pk=data.lead_organisation_id).first()
        if lead is None:
            p.add("lead_organisation", _("Unknown organisation."))
    partners = list(orgs.filter(pk__in=set(data.partner_ids)))
    if len(partners) != len(set(data.partner_ids)):
        p.add("partners", _("Unknown organisation."))
    group = None
    if data.working_group_id is not None:
        group = plan.groups.filter(pk=data.working_group_id).first()
        if group is None:
            p.add("working_group", _("Unknown value."))
    budget = check_eur(p, "budget_eur", data.budget_eur)
    start = check_day(p, "start", data.start)
    end = check_day(p, "end", data.end)
    if start and end and end < start:
        p.add("end", _("The end lies before the start."))
    p.raise_if_any()
    fields = {"number": number, "title": title, "description": description, "pillar": pillar,
              "lead_organisation": lead, "working_group": group, "budget_eur": budget,
              "start": start, "end": end}
    return fields, {"themes": themes, "goals": goals, "partners": partners}


def _action_snapshot(action: PlanAction) -> dict:
    snap = audit.snapshot(action)
    snap.pop("updated_at", None)
    for name in ("themes", "goals", "partners"):
        snap[name] = sorted(getattr(action, name).values_list("pk", flat=True))
    return snap


def save_plan_action(viewer: Viewer, plan_id: int, data: PlanActionInput,
                     plan_action_id: int | None = None) -> PlanAction:
    """A new plan action, or the coordinator's changes to one (status, spent and notes go
    through :func:`record_progress`)."""
    plan = selectors.get_plan(viewer, plan_id)
    _require_editor(viewer, plan.city_id)
    action = None
    if plan_action_id is not None:
        action = plan.actions.filter(pk=plan_action_id).first()
        if action is None:
            raise PermissionDenied(_("This action belongs to another plan."))
    fields, many = _clean_plan_action(plan, data, action)
    with transaction.atomic():
        if action is None:
            action = PlanAction.objects.create(plan=plan, **fields)
            before = None
        else:
            before = _action_snapshot(action)
            for k, v in fields.items():
                setattr(action, k, v)
            action.save()
        for name, objs in many.items():
            getattr(action, name).set(objs)
        after = _action_snapshot(action)
        if before is None:
            _record(viewer, plan.city_id, "create", action, after)
        else:
            changes = audit.diff(before, after)
            if changes:
                _record(viewer, plan.city_id, "update", action, changes)
    return action


# --- progress of plan actions ---------------------------------------------------------------

@dataclass
class ProgressInput:
    text: str = ""
    status: str | None = None
    spent_eur: Decimal | str | None = None
    date: date | None = None


def record_progress(viewer: Viewer, plan_action_id: int, data: ProgressInput) -> PlanAction:
    """A progress note, a new status and/or the amount spent, in one step. Either counts
    as an update for the health check (the day of the note, or today)."""
    action = selectors.get_plan_action(viewer, plan_action_id)
    city = action.plan.city
    if not may_report_progress(viewer, action):
        raise PermissionDenied(_("Only coordinators, analysts and the lead organisation "
                                 "record progress."))
    today = city_today(city)
    p = Problems()
    text = check_text(p, "text", data.text, MAX_TEXT)
    status = data.status or action.status
    if status not in PlanActionStatus.values:
        p.add("status", _("Unknown value."))
    day = check_day(p, "date", data.date) or today
    if day > today:
        p.add("date", _("The date lies in the future."))
    spent = check_eur(p, "spent_eur", data.spent_eur)
    if spent is None:
        spent = action.spent_eur
    changed = status != action.status or spent != action.spent_eur
    if not text and not changed:
        p.add("text", _("Write what happened, or change the status or the amount spent."))
    p.raise_if_any()
    with transaction.atomic():
        keys = ["status", "spent_eur", "last_progress"]
        before = audit.snapshot(action, keys)
        action.status, action.spent_eur = status, spent
        action.last_progress = max(filter(None, [action.last_progress, day]))
        action.save(update_fields=[*keys, "updated_at"])
        changes = audit.diff(before, audit.snapshot(action, keys))
        if text:
            note = ProgressNote.objects.create(
                plan_action=action, date=day, author_id=viewer.user_id, text=text,
                organisation_id=seat_organisation(viewer, city.pk))
            changes["note"] = note.pk
        _record(viewer, city.pk, "progress", action, changes)
    return action


def add_milestone(viewer: Viewer, plan_action_id: int, title: str, due: date | None
                  ) -> Milestone:
    action = selectors.get_plan_action(viewer, plan_action_id)
    _require_editor(viewer, action.plan.city_id)
    p = Problems()
    title = check_text(p, "title", title, MAX_TITLE, required=True)
    due = check_day(p, "due", due, required=True)
    p.raise_if_any()
    with transaction.atomic():
        m = Milestone.objects.create(plan_action=action, title=title, due=due)
        _record(viewer, action.plan.city_id, "create", m, audit.snapshot(m))
    return m


def complete_milestone(viewer: Viewer, milestone_id: int, done_on: date | None = None
                       ) -> Milestone:
    m = Milestone.objects.select_related("plan_action").filter(pk=milestone_id).first()
    action = selectors.get_plan_action(viewer, m.plan_action_id if m else 0)
    if not may_report_progress(viewer, action):
        raise PermissionDenied(_("Only coordinators, analysts and the lead organisation "
                                 "record progress."))
    today = city_today(action.plan.city)
    p = Problems()
    done_on = check_day(p, "done_on", done_on) or today
    if done_on > today:
        p.add("done_on", _("The date lies in the future."))
    p.raise_if_any()
    with transaction.atomic():
        before = audit.snapshot(m, ["done_on"])
        m.done_on = done_on
        m.save(update_fields=["done_on"])
        action.last_progress = max(filter(None, [action.last_progress, done_on]))
        action.save(update_fields=["last_progress", "updated_at"])
        _record(viewer, action.plan.city_id, "update", m,
                audit.diff(before, audit.snapshot(m, ["done_on"])))
    return m


# --- governance -----------------------------------------------------------------------------

@dataclass
class MeetingInput:
    group_id: int | None
    date: date | None
    open: bool = False
    notes: str = ""
    decisions: str = ""


def record_meeting(viewer: Viewer, plan_id: int, data: MeetingInput) -> GroupMeeting:
    """A meeting of the steering group or a working group, with its decisions."""
    plan = selectors.get_plan(viewer, plan_id)
    _require_editor(viewer, plan.city_id)
    p = Problems()
    group = plan.groups.filter(pk=data.group_id).first() if data.group_id else None
    if group is None:
        p.add("group", _("Choose a group of the plan."))
    day = check_day(p, "date", data.date, required=True)
    if day and day > city_today(plan.city):
        p.add("date", _("The date lies in the future."))
    notes = check_text(p, "notes", data.notes, MAX_TEXT)
    decisions = check_text(p, "decisions", data.decisions, MAX_TEXT)
    if not notes and not decisions:
        p.add("decisions", _("Write what was discussed or decided."))
    p.raise_if_any()
    with transaction.atomic():
        meeting = GroupMeeting.objects.create(group=group, date=day, open=bool(data.open),
                                              notes=notes, decisions=decisions)
        _record(viewer, plan.city_id, "create", meeting, audit.snapshot(meeting))
    return meeting


def partner_organisations(city_id: int):
    return (Organisation.objects.filter(city_id=city_id)
            .exclude(kind=OrganisationKind.CITIZEN_CHANNEL).order_by("name"))

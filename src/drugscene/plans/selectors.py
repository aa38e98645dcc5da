"""Reads of drug-policy plans: what members of the city see, the progress figures, the plan
health check and the aggregate summary for the public page.

Plans are shared with every member of the city (``Perm.VIEW_REPORTS``); the public sees
only :func:`public_summary` (counts and sums, no notes, no people, no organisations' text).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.accounts.access import Perm, Viewer
from drugscene.actions.models import Action, ActionStatus
from drugscene.cities.models import Area, City
from drugscene.core.errors import NotVisible
from drugscene.indicators.models import Direction, Indicator, Measurement
from drugscene.places.models import Place, PlaceStatus
from drugscene.plans.models import (
    CLOSED,
    GroupKind,
    Milestone,
    Plan,
    PlanAction,
    PlanActionStatus,
    SubGoal,
)
from drugscene.scenes.checks import city_today

#: an action with no progress note and no change of status for this long is flagged
STALE_DAYS = 90
#: operational actions that still address a place or district
OPEN_ACTION = (ActionStatus.PLANNED, ActionStatus.ONGOING)

# --- visibility ---------------------------------------------------------------------------


def visible_plans(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[Plan]:
    qs = Plan.objects.select_related("city")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    if viewer.is_superuser:
        return qs
    if viewer.is_anonymous:
        return qs.none()
    return qs.filter(city_id__in=viewer.cities_where(Perm.VIEW_REPORTS))


def get_plan(viewer: Viewer, plan_id: int) -> Plan:
    plan = visible_plans(viewer).filter(pk=plan_id).first()
    if plan is None:
        raise NotVisible(_("Plan %(id)s not found.") % {"id": plan_id})
    return plan


def get_plan_action(viewer: Viewer, plan_action_id: int) -> PlanAction:
    qs = PlanAction.objects.select_related("plan", "plan__city", "pillar", "lead_organisation",
                                           "working_group")
    if not viewer.is_superuser:
        qs = qs.filter(plan__city_id__in=viewer.cities_where(Perm.VIEW_REPORTS))
    action = qs.filter(pk=plan_action_id).first()
    if action is None:
        raise NotVisible(_("Plan action %(id)s not found.") % {"id": plan_action_id})
    return action


def get_sub_goal(viewer: Viewer, sub_goal_id: int) -> SubGoal:
    qs = SubGoal.objects.select_related("goal", "goal__plan", "goal__plan__city", "indicator",
                                        "area")
    if not viewer.is_superuser:
        qs = qs.filter(goal__plan__city_id__in=viewer.cities_where(Perm.VIEW_REPORTS))
    sub = qs.filter(pk=sub_goal_id).first()
    if sub is None:
        raise NotVisible(_("Sub-goal %(id)s not found.") % {"id": sub_goal_id})
    return sub


def plans_of(viewer: Viewer, city_id: int) -> list[Plan]:
    return list(visible_plans(viewer, city_id=city_id).order_by("-period_start", "title"))


def plan_action_choices(city_id: int) -> list[tuple[int, str]]:
    """``(id, "number title — plan")`` of the city's plan actions, current plans first
    (for the operational action form)."""
    rows = (PlanAction.objects.filter(plan__city_id=city_id)
            .order_by("-plan__period_start", "plan_id", "id")
            .values_list("pk", "number", "title", "plan__title"))
    return [(pk, f"{number} {title} — {plan}") for pk, number, title, plan in rows]


def current_plan(city: City) -> Plan | None:
    """The plan whose period holds the city's today; else the latest that has started;
    else the earliest to come; ``None`` when the city has no plan."""
    today = city_today(city)
    plans = Plan.objects.filter(city=city)
    running = plans.filter(period_start__lte=today, period_end__gte=today)
    return (running.order_by("-period_start", "-id").first()
            or plans.filter(period_start__lte=today).order_by("-period_start", "-id").first()
            or plans.order_by("period_start", "id").first())


# --- sub-goals: on or off track -------------------------------------------------------------

def latest_measurement(sub: SubGoal) -> Measurement | None:
    """The latest measurement of the sub-goal's indicator for its area (whole city when the
    area is empty), all genders and ages."""
    if sub.indicator_id is None:
        return None
    return (Measurement.objects.filter(indicator_id=sub.indicator_id, area_id=sub.area_id,
                                       place__isnull=True, gender="", age_band="")
            .order_by("-period_end", "-period_start", "-id").first())


def expected_value(sub: SubGoal, start: date, on: date) -> float | None:
    """Where the indicator should be on ``on`` if it moves in a straight line from the
    baseline (at the plan's start) to the target (at the deadline); the target itself when
    there is no baseline or deadline, or the deadline has passed."""
    if sub.target is None:
        return None
    if sub.baseline is None or sub.deadline is None or on >= sub.deadline:
        return sub.target
    span = (sub.deadline - start).days
    if span <= 0:
        return sub.target
    share = min(max((on - start).days / span, 0.0), 1.0)
    return sub.baseline + (sub.target - sub.baseline) * share


def track(sub: SubGoal, start: date, m: Measurement | None) -> bool | None:
    """``True`` on track, ``False`` off track, ``None`` when it cannot be said (no
    indicator, target or measurement, or an indicator without a direction of good).

    A value below the limit of detection counts as the limit (a value at most that)."""
    if sub.indicator is None or m is None:
        return None
    expected = expected_value(sub, start, m.period_end)
    if expected is None or sub.indicator.direction == Direction.NEUTRAL:
        return None
    down = sub.indicator.direction == Direction.DOWN
    if m.value is None:  # below the limit of detection: at most the limit, never zero
        if m.lod is None:
            return None
        if down:
            return True if m.lod <= expected else None
        return False if m.lod < expected else None
    return m.value <= expected if down else m.value >= expected


@dataclass
class SubGoalState:
    sub: SubGoal
    measurement: Measurement | None
    expected: float | None
    on_track: bool | None


def sub_goal_states(plan: Plan) -> list[SubGoalState]:
    subs = (SubGoal.objects.filter(goal__plan=plan)
            .select_related("goal", "goal__pillar", "indicator", "area")
            .order_by("goal__code", "id"))
    out = []
    for sub in subs:
        m = latest_measurement(sub)
        exp = expected_value(sub, plan.period_start, m.period_end) if m else None
        out.append(SubGoalState(sub, m, exp, track(sub, plan.period_start, m)))
    return out


# --- progress -------------------------------------------------------------------------------

def _money(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal(0)


@dataclass
class Bucket:
    """Progress of a group of plan actions (a pillar, theme, working group or the plan)."""

    key: str
    name: str
    object_id: int | None = None
    by_status: Counter = field(default_factory=Counter)
    budget_eur: Decimal = Decimal(0)
    spent_eur: Decimal = Decimal(0)
    overdue_milestones: int = 0
    sub_goals: Counter = field(default_factory=Counter)

    @property
    def n_actions(self) -> int:
        return sum(self.by_status.values())

    @property
    def done_share(self) -> float:
        return self.by_status[PlanActionStatus.DONE] / self.n_actions if self.n_actions else 0.0

    def add(self, action: PlanAction, overdue: int) -> None:
        self.by_status[action.status] += 1
        self.budget_eur += _money(action.budget_eur)
        self.spent_eur += _money(action.spent_eur)
        self.overdue_milestones += overdue

    def as_dict(self) -> dict:
        return {
            "key": self.key, "name": self.name, "id": self.object_id,
            "n_actions": self.n_actions,
            "by_status": {s: self.by_status.get(s, 0) for s in PlanActionStatus.values},
            "done_share": round(self.done_share, 4),
            "budget_eur": float(self.budget_eur), "spent_eur": float(self.spent_eur),
            "overdue_milestones": self.overdue_milestones,
            "sub_goals": {k: self.sub_goals.get(k, 0) for k in ("on_track", "off_track",
                                                                   "unknown")},
        }


def _track_key(on_track: bool | None) -> str:
    return "unknown" if on_track is None else "on_track" if on_track else "off_track"


def plan_actions(plan: Plan) -> QuerySet[PlanAction]:
    return (plan.actions.select_related("pillar", "lead_organisation", "working_group")
            .prefetch_related("themes", "partners", "goals",
                              Prefetch("milestones", queryset=Milestone.objects.order_by("due")))
            .order_by("id"))


def progress(plan: Plan, today: date | None = None) -> dict:
    """Overall and per pillar, theme and working group: actions by status, overdue
    milestones, budget against spent, and sub-goals on or off track from their latest
    measurement (per pillar through the goal's pillar)."""
    today = today or city_today(plan.city)
    overall = Bucket("plan", plan.title, plan.pk)
    pillars = {p.pk: Bucket(p.code, p.label, p.pk) for p in plan.pillars.all()}
    themes = {t.pk: Bucket(t.code, t.label, t.pk) for t in plan.themes.all()}
    groups = {g.pk: Bucket(str(g.pk), g.name, g.pk)
              for g in plan.groups.filter(kind=GroupKind.WORKING)}
    overdue_rows = []
    for a in plan_actions(plan):
        late = [m for m in a.milestones.all() if m.overdue(today)]
        overdue_rows += [{"milestone": m, "action": a, "days": (today - m.due).days}
                         for m in late]
        for bucket in (overall, pillars.get(a.pillar_id), groups.get(a.working_group_id),
                       *(themes.get(t.pk) for t in a.themes.all())):
            if bucket is not None:
                bucket.add(a, len(late))
    states = sub_goal_states(plan)
    for st in states:
        key = _track_key(st.on_track)
        overall.sub_goals[key] += 1
        if st.sub.goal.pillar_id in pillars:
            pillars[st.sub.goal.pillar_id].sub_goals[key] += 1
    overdue_rows.sort(key=lambda r: (r["milestone"].due, r["action"].pk))
    return {
        "plan": {"id": plan.pk, "title": plan.title, "city": plan.city.slug,
                 "period_start": plan.period_start.isoformat(),
                 "period_end": plan.period_end.isoformat()},
        "today": today.isoformat(),
        "overall": overall.as_dict(),
        "pillars": [b.as_dict() for b in pillars.values()],
        "themes": [b.as_dict() for b in themes.values()],
        "working_groups": [b.as_dict() for b in groups.values()],
        "overdue_milestones": [
            {"id": r["milestone"].pk, "title": r["milestone"].title,
             "due": r["milestone"].due.isoformat(), "days_overdue": r["days"],
             "plan_action_id": r["action"].pk, "plan_action_number": r["action"].number,
             "plan_action_title": r["action"].title}
            for r in overdue_rows],
        "sub_goals": [
            {"id": st.sub.pk, "title": st.sub.title, "goal": st.sub.goal.code,
             "indicator": st.sub.indicator.slug if st.sub.indicator else None,
             "area": st.sub.area.name if st.sub.area else None,
             "baseline": st.sub.baseline, "target": st.sub.target,
             "deadline": st.sub.deadline.isoformat() if st.sub.deadline else None,
             "latest_value": st.measurement.value if st.measurement else None,
             "latest_below_lod": bool(st.measurement and st.measurement.below_lod),
             "latest_period_end": (st.measurement.period_end.isoformat()
                                   if st.measurement else None),
             "expected": st.expected, "on_track": st.on_track}
            for st in states],
    }


# --- the health check -----------------------------------------------------------------------

class FindingKind:
    GOAL_NOT_MEASURABLE = "goal_without_measurable_sub_goal"
    SUB_GOAL_NO_INDICATOR = "sub_goal_without_indicator"
    SUB_GOAL_NO_TARGET = "sub_goal_without_target"
    SUB_GOAL_NO_DEADLINE = "sub_goal_without_deadline"
    ACTION_NO_OWNER = "action_without_owner"
    ACTION_NO_BUDGET = "action_without_budget"
    ACTION_NO_END = "action_without_end_date"
    ACTION_STALE = "action_not_updated"
    DISTRICT_UNADDRESSED = "district_with_active_scenes_unaddressed"


#: kind → heading on the health check page, in the order shown
FINDING_TITLES = {
    FindingKind.GOAL_NOT_MEASURABLE: gettext_lazy("Goals with no measurable sub-goal"),
    FindingKind.SUB_GOAL_NO_INDICATOR: gettext_lazy("Sub-goals with no indicator"),
    FindingKind.SUB_GOAL_NO_TARGET: gettext_lazy("Sub-goals with no target"),
    FindingKind.SUB_GOAL_NO_DEADLINE: gettext_lazy("Sub-goals with no deadline"),
    FindingKind.ACTION_NO_OWNER: gettext_lazy("Actions with no owner"),
    FindingKind.ACTION_NO_BUDGET: gettext_lazy("Actions with no budget"),
    FindingKind.ACTION_NO_END: gettext_lazy("Actions with no end date"),
    FindingKind.ACTION_STALE: gettext_lazy("Actions not updated for 90 days"),
    FindingKind.DISTRICT_UNADDRESSED: gettext_lazy(
        "Districts with active scenes that no open action addresses"),
}


@dataclass(frozen=True)
class Finding:
    """One gap of the plan: its kind (a code), the object at fault and a message in the
    active language."""

    kind: str
    obj: object
    message: str

    @property
    def object_type(self) -> str:
        return self.obj._meta.model_name

    @property
    def object_id(self) -> int:
        return self.obj.pk

    @property
    def title(self) -> str:
        return str(FINDING_TITLES[self.kind])

    def as_dict(self) -> dict:
        return {"kind": self.kind, "object_type": self.object_type,
                "object_id": self.object_id, "label": str(self.obj), "message": self.message}


def last_update(action: PlanAction) -> date | None:
    """The day of the action's last progress note or change of status."""
    noted = max((n.date for n in action.notes.all()), default=None)
    days = [d for d in (noted, action.last_progress) if d is not None]
    return max(days) if days else None


def is_stale(action: PlanAction, today: date) -> bool:
    """Open, started at least 90 days ago and with no progress for 90 days."""
    if action.status in CLOSED or action.start is None:
        return False
    limit = today - timedelta(days=STALE_DAYS)
    if action.start > limit:
        return False
    last = last_update(action)
    return last is None or last < limit


def unaddressed_districts(city_id: int) -> list[tuple[Area, int]]:
    """Districts with active scenes (places whose current status is active) where no open
    operational action (planned or ongoing) works, at a place or on the district."""
    active = Counter(Place.objects.filter(city_id=city_id, status=PlaceStatus.ACTIVE,
                                          merged_into__isnull=True, area__isnull=False)
                     .values_list("area_id", flat=True))
    if not active:
        return []
    addressed = set()
    for area_id, place_area_id in (Action.objects.filter(city_id=city_id,
                                                         status__in=OPEN_ACTION)
                                   .values_list("area_id", "place__area_id")):
        addressed.update(x for x in (area_id, place_area_id) if x is not None)
    areas = Area.objects.filter(pk__in=[a for a in active if a not in addressed])
    return [(a, active[a.pk]) for a in areas.order_by("name")]


def health_check(plan: Plan, today: date | None = None) -> list[Finding]:
    """What the seeds criticise, for one plan: goals never broken into measurable
    sub-goals, sub-goals with no indicator, target or deadline, actions with no owner,
    budget or end date, actions not updated for 90 days, and districts with active scenes
    that no open action addresses."""
    today = today or city_today(plan.city)
    out: list[Finding] = []
    K = FindingKind
    for goal in plan.goals.prefetch_related("sub_goals").order_by("code", "id"):
        subs = list(goal.sub_goals.all())
        if not any(s.indicator_id and s.target is not None for s in subs):
            out.append(Finding(K.GOAL_NOT_MEASURABLE, goal, _(
                "Goal %(code)s has no sub-goal with an indicator and a target.")
                % {"code": goal.code}))
        for s in subs:
            if s.indicator_id is None:
                out.append(Finding(K.SUB_GOAL_NO_INDICATOR, s, _(
                    "Sub-goal “%(title)s” names no indicator.") % {"title": s.title}))
            if s.target is None:
                out.append(Finding(K.SUB_GOAL_NO_TARGET, s, _(
                    "Sub-goal “%(title)s” has no target.") % {"title": s.title}))
            if s.deadline is None:
                out.append(Finding(K.SUB_GOAL_NO_DEADLINE, s, _(
                    "Sub-goal “%(title)s” has no deadline.") % {"title": s.title}))
    actions = plan.actions.prefetch_related("notes").order_by("id")
    for a in actions:
        names = {"number": a.number, "title": a.title}
        if a.lead_organisation_id is None:
            out.append(Finding(K.ACTION_NO_OWNER, a, _(
                "Action %(number)s “%(title)s” has no lead organisation.") % names))
        if a.budget_eur is None:
            out.append(Finding(K.ACTION_NO_BUDGET, a, _(
                "Action %(number)s “%(title)s” has no budget.") % names))
        if a.end is None:
            out.append(Finding(K.ACTION_NO_END, a, _(
                "Action %(number)s “%(title)s” has no end date.") % names))
        if is_stale(a, today):
            last = last_update(a)
            if last is None:
                out.append(Finding(K.ACTION_STALE, a, _(
                    "Action %(number)s “%(title)s” has never been updated.") % names))
            else:
                out.append(Finding(K.ACTION_STALE, a, _(
                    "Action %(number)s “%(title)s” was last updated on %(day)s.")
                    % {**names, "day": last.isoformat()}))
    for area, n in unaddressed_districts(plan.city_id):
        out.append(Finding(K.DISTRICT_UNADDRESSED, area, _(
            "%(district)s has %(n)s active scenes and no open action.")
            % {"district": area.name, "n": n}))
    order = list(FINDING_TITLES)
    out.sort(key=lambda f: order.index(f.kind))
    return out


def findings_by_kind(findings: list[Finding]) -> list[tuple[str, str, list[Finding]]]:
    """``(kind, heading, findings)`` for each kind that has findings, in page order."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.kind].append(f)
    return [(k, str(t), groups[k]) for k, t in FINDING_TITLES.items() if groups.get(k)]


# --- public and indicator charts ------------------------------------------------------------

def public_summary(plan: Plan) -> dict:
    """Aggregates only, for the public page: per pillar the number of actions by status
    and the share done, and the budget totals. No notes, people or organisations."""
    pillars = {p.pk: {"code": p.code, "name": p.label, "by_status": Counter()}
               for p in plan.pillars.all()}
    totals: Counter = Counter()
    budget = spent = Decimal(0)
    for pillar_id, status, b, s in plan.actions.values_list("pillar_id", "status",
                                                            "budget_eur", "spent_eur"):
        pillars[pillar_id]["by_status"][status] += 1
        totals[status] += 1
        budget += _money(b)
        spent += _money(s)

    def shape(counts: Counter) -> dict:
        n = sum(counts.values())
        return {"n_actions": n,
                "by_status": {s: counts.get(s, 0) for s in PlanActionStatus.values},
                "done_share": round(counts.get(PlanActionStatus.DONE, 0) / n, 4) if n else 0.0}

    lines = list(plan.budget_lines.values_list("amount_eur", "year"))
    return {
        "title": plan.title,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "approved_on": plan.approved_on.isoformat() if plan.approved_on else None,
        "pillars": [{"code": p["code"], "name": p["name"], **shape(p["by_status"])}
                    for p in pillars.values()],
        "totals": shape(totals),
        "budget": {
            "yearly_budget_eur": float(plan.yearly_budget_eur)
            if plan.yearly_budget_eur is not None else None,
            "extra_lines_eur": float(sum((a for a, _y in lines), Decimal(0))),
            "actions_budget_eur": float(budget),
            "actions_spent_eur": float(spent),
        },
    }


def targets_for(indicator: Indicator) -> list[dict]:
    """The targets set for an indicator by sub-goals (for target lines on its chart)."""
    subs = (SubGoal.objects.filter(indicator=indicator, target__isnull=False)
            .select_related("goal").order_by("deadline", "id"))
    return [{"deadline": s.deadline, "target": s.target, "baseline": s.baseline,
             "label": s.title, "area_id": s.area_id} for s in subs]


def operational_actions(plan_action: PlanAction) -> list[Action]:
    """The operational actions at places that serve this plan action, with follow-ups."""
    return list(plan_action.operational_actions.select_related("place", "area", "owner")
                .prefetch_related("follow_ups").order_by("-start", "-id"))

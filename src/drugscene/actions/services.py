"""Writes of actions (*åtgärder*): create, update, change status, and schedule the
follow-ups at the end and 3, 6 and 12 months after it. One transaction and one audit entry
per call; problems raised together by field name; free text scrubbed before storage.

Who may write: coordinators (``Perm.MANAGE_PLACES``) for any owner in their city; a member
of the owner organisation whose role may report (reporter, analyst …) for actions their
organisation owns — the police plan their patrols, the housing company its lighting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from drugscene.accounts.access import PERMISSIONS, Perm, Viewer
from drugscene.actions.models import (
    DEFAULT_PRINCIPLE,
    MILESTONE_MONTHS,
    PATROL_KINDS,
    Action,
    ActionKind,
    ActionStatus,
    CptedPrinciple,
    FollowUp,
)
from drugscene.actions.selectors import get_action
from drugscene.audit import services as audit
from drugscene.cities.models import Area, City
from drugscene.core.errors import PermissionDenied
from drugscene.places.models import Place
from drugscene.scenes.checks import (
    Problems,
    check_count,
    check_date,
    check_organisation,
    check_text,
    city_today,
    seat_organisation,
)
from drugscene.scenes.models import CauseFactor

MAX_TITLE = 200
MAX_COST = Decimal("9999999999.99")


@dataclass
class ActionInput:
    """What the action form submits. ``cpted_principle=None`` takes the kind's default;
    ``""`` says the action is not a CPTED measure."""

    owner_id: int | None
    kind: str
    title: str
    start: date | None
    place_id: int | None = None
    area_id: int | None = None
    cpted_principle: str | None = None
    cause_ids: list[int] = field(default_factory=list)
    description: str = ""
    end: date | None = None
    status: str = ActionStatus.PLANNED
    cost: Decimal | None = None
    patrol_minutes: int | None = None
    patrol_visits_per_week: int | None = None
    plan_action_ref: str | None = None


def acts_for(viewer: Viewer, owner_id: int, city_id: int) -> bool:
    """May ``viewer`` write actions owned by organisation ``owner_id``?"""
    if viewer.can(Perm.MANAGE_PLACES, city_id):
        return True
    return any(s.organisation_id == owner_id and s.city_id == city_id
               and Perm.CREATE_REPORT in PERMISSIONS[s.role] for s in viewer.seats)


def may_create_actions(viewer: Viewer, city_id: int) -> bool:
    return viewer.can(Perm.MANAGE_PLACES, city_id) or viewer.can(Perm.CREATE_REPORT, city_id)


def _check_status(problems: Problems, status: str, start: date | None, end: date | None,
                  today: date) -> None:
    if status not in ActionStatus.values:
        problems.add("status", _("Unknown value."))
    elif status == ActionStatus.ONGOING and start and start > today:
        problems.add("status", _("An ongoing action has started: the start lies in the "
                                 "future."))
    elif status == ActionStatus.DONE:
        if end is None:
            problems.add("end", _("Give the end date of a finished action."))
        elif end > today:
            problems.add("end", _("A finished action cannot end in the future."))


def _clean(viewer: Viewer, city: City, data: ActionInput) -> dict:
    problems = Problems()
    owner = check_organisation(problems, "owner", data.owner_id, city)
    if owner is not None and not acts_for(viewer, owner.pk, city.pk):
        problems.add("owner", _("You may plan actions for your own organisation only."))

    place = area = None
    if data.place_id is not None:
        place = Place.objects.filter(city=city, pk=data.place_id).select_related(
            "merged_into").first()
        if place is None:
            problems.add("place", _("Unknown place."))
        elif place.merged_into_id:
            problems.add("place", _("This place was merged into %(name)s; choose that place.")
                         % {"name": place.merged_into.name})
    if data.area_id is not None:
        area = Area.objects.filter(city=city, pk=data.area_id).first()
        if area is None:
            problems.add("area", _("Unknown district."))
    if data.place_id is None and data.area_id is None:
        problems.add("place", _("Choose a place or a district."))

    if data.kind not in ActionKind.values:
        problems.add("kind", _("Unknown value."))
    principle = data.cpted_principle
    if principle is None:
        principle = DEFAULT_PRINCIPLE.get(data.kind, "")
    elif principle and principle not in CptedPrinciple.values:
        problems.add("cpted_principle", _("Unknown value."))

    causes = list(CauseFactor.objects.filter(pk__in=set(data.cause_ids)).select_related(
        "analysis"))
    if len(causes) != len(set(data.cause_ids)):
        problems.add("causes", _("Unknown cause."))
    elif causes and (place is None or any(c.analysis.place_id != place.pk for c in causes)):
        problems.add("causes", _("Causes must belong to a cause analysis of the chosen "
                                 "place."))

    title = check_text(problems, "title", data.title, limit=MAX_TITLE, required=True)
    description = check_text(problems, "description", data.description)

    today = city_today(city)
    check_date(problems, "start", data.start, city, future_ok=True)
    check_date(problems, "end", data.end, city, required=False, future_ok=True)
    if data.start and data.end and data.end < data.start:
        problems.add("end", _("The end lies before the start."))
    _check_status(problems, data.status, data.start, data.end, today)

    cost = data.cost
    if cost is not None:
        try:
            cost = Decimal(cost)
            if not cost.is_finite() or cost < 0 or cost > MAX_COST:
                raise InvalidOperation
            cost = cost.quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            problems.add("cost", _("Give a cost of 0 or more."))
            cost = None

    minutes = check_count(problems, "patrol_minutes", data.patrol_minutes, maximum=1440)
    visits = check_count(problems, "patrol_visits_per_week", data.patrol_visits_per_week,
                         maximum=1000)
    if data.kind not in PATROL_KINDS:
        if minutes is not None:
            problems.add("patrol_minutes", _("Dosage applies to patrols and presence only."))
        if visits is not None:
            problems.add("patrol_visits_per_week",
                         _("Dosage applies to patrols and presence only."))
    ref, plan_action = _plan_action(problems, city, data.plan_action_ref)
    problems.raise_if_any()
    return {
        "owner": owner, "place": place, "area": area, "kind": data.kind,
        "cpted_principle": principle, "title": title, "description": description,
        "start": data.start, "end": data.end, "status": data.status, "cost": cost,
        "patrol_minutes": minutes, "patrol_visits_per_week": visits,
        "plan_action_ref": ref, "plan_action": plan_action, "causes": causes,
    }


def _plan_action(problems: Problems, city: City, value: str | None):
    """``(free-text reference, PlanAction)`` from the form's plan-action field: the id of one
    of the city's plan actions links the action to it; other text is kept as a reference."""
    from drugscene.plans.models import PlanAction

    ref = (value or "").strip() or None
    if ref is None:
        return None, None
    if ref.isdigit():
        plan_action = PlanAction.objects.filter(pk=int(ref), plan__city=city).first()
        if plan_action is None:
            problems.add("plan_action_ref", _("Unknown plan action."))
        return None, plan_action
    if len(ref) > 64:
        problems.add("plan_action_ref", _("At most %(n)s characters.") % {"n": 64})
    return ref, None


def _snapshot(action: Action) -> dict:
    snap = audit.snapshot(action)
    snap["causes"] = sorted(action.causes.values_list("pk", flat=True))
    return snap


def create_action(viewer: Viewer, city: City, data: ActionInput) -> Action:
    if not may_create_actions(viewer, city.pk):
        raise PermissionDenied(_("Your role may not plan actions."))
    clean = _clean(viewer, city, data)
    causes = clean.pop("causes")
    with transaction.atomic():
        action = Action.objects.create(city=city, created_by_id=viewer.user_id, **clean)
        action.causes.set(causes)
        follow_ups = schedule_follow_ups(action)
        audit.record(action="create", obj=action,
                     changes={**_snapshot(action),
                              "follow_ups": [f.due_date.isoformat() for f in follow_ups]},
                     user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, city.pk))
    return action


def _writable(viewer: Viewer, action_id: int) -> Action:
    action = get_action(viewer, action_id)
    if not acts_for(viewer, action.owner_id, action.city_id):
        raise PermissionDenied(_("Only coordinators and the owner organisation change this "
                                 "action."))
    return action


def update_action(viewer: Viewer, action_id: int, data: ActionInput) -> Action:
    action = _writable(viewer, action_id)
    city = action.city
    clean = _clean(viewer, city, data)
    causes = clean.pop("causes")
    with transaction.atomic():
        before = _snapshot(action)
        for name, value in clean.items():
            setattr(action, name, value)
        action.save()
        action.causes.set(causes)
        follow_ups = schedule_follow_ups(action)
        changes = audit.diff(before, _snapshot(action))
        changes.pop("updated_at", None)
        changes["follow_ups"] = [f.due_date.isoformat() for f in follow_ups]
        audit.record(action="update", obj=action, changes=changes, user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, city.pk))
    return action


def change_action_status(viewer: Viewer, action_id: int, status: str, *,
                         end: date | None = None) -> Action:
    """Set the status (and, when finishing, the end date: today unless given)."""
    action = _writable(viewer, action_id)
    city = action.city
    if end is None:
        end = action.end
        if status == ActionStatus.DONE and end is None:
            end = city_today(city)
    problems = Problems()
    check_date(problems, "end", end, city, required=False, future_ok=True)
    if end is not None and end < action.start:
        problems.add("end", _("The end lies before the start."))
    _check_status(problems, status, action.start, end, city_today(city))
    problems.raise_if_any()
    with transaction.atomic():
        keys = ["status", "end"]
        before = audit.snapshot(action, keys)
        action.status, action.end = status, end
        action.save(update_fields=["status", "end", "updated_at"])
        follow_ups = schedule_follow_ups(action)
        audit.record(action="status", obj=action,
                     changes={**audit.diff(before, audit.snapshot(action, keys)),
                              "follow_ups": [f.due_date.isoformat() for f in follow_ups]},
                     user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, city.pk))
    return action


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = (nxt - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def schedule_follow_ups(action: Action) -> list[FollowUp]:
    """The four follow-ups (end, +3, +6, +12 months) of an action with an end date.

    Idempotent. When the end date moves, the due dates move with it and results already
    computed are marked pending again (``computed_at = None``) so that the evaluation
    runs anew; when the end date is removed, follow-ups not yet computed are removed.
    Called inside the action's transaction; the action's audit entry lists the dates.
    """
    if action.end is None:
        action.follow_ups.filter(computed_at__isnull=True).delete()
        return list(action.follow_ups.all())
    existing = {f.milestone: f for f in action.follow_ups.all()}
    out = []
    for milestone, months in MILESTONE_MONTHS.items():
        due = add_months(action.end, months)
        f = existing.get(milestone)
        if f is None:
            f = FollowUp.objects.create(action=action, milestone=milestone, due_date=due)
        elif f.due_date != due:
            f.due_date = due
            f.computed_at = None
            f.save(update_fields=["due_date", "computed_at"])
        out.append(f)
    return out

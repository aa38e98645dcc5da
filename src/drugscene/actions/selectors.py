"""Reads of actions. Actions and their follow-ups are visible to the members of the
action's city (they describe what partners do at places, not persons)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.actions.models import Action, ActionStatus, FollowUp
from drugscene.core.errors import NotVisible

#: "due" and "ending" look this many days ahead
HORIZON_DAYS = 14
OPEN = (ActionStatus.PLANNED, ActionStatus.ONGOING)


def visible_actions(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[Action]:
    qs = Action.objects.select_related("place", "area", "owner", "city")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    if viewer.is_superuser:
        return qs
    if viewer.is_anonymous:
        return qs.none()
    return qs.filter(city_id__in=viewer.city_ids)


def get_action(viewer: Viewer, action_id: int) -> Action:
    try:
        return visible_actions(viewer).get(pk=action_id)
    except Action.DoesNotExist:
        raise NotVisible(_("Action %(id)s not found.") % {"id": action_id}) from None


def deadline_flag(action: Action, today: date, horizon: int = HORIZON_DAYS) -> str:
    """``overdue`` (should have started, or ended but not closed), ``due`` (starts within
    the horizon), ``ending`` (ends within the horizon) or ``""``."""
    soon = today + timedelta(days=horizon)
    if action.status == ActionStatus.PLANNED:
        if action.start < today:
            return "overdue"
        if action.start <= soon:
            return "due"
    elif action.status == ActionStatus.ONGOING and action.end is not None:
        if action.end < today:
            return "overdue"
        if action.end <= soon:
            return "ending"
    return ""


@dataclass
class ActionRow:
    action: Action
    flag: str


def action_rows(viewer: Viewer, city_id: int, *, today: date, status: str = "",
                owner: int | None = None, place: int | None = None,
                flag: str = "") -> list[ActionRow]:
    """Actions of a city, open ones first (overdue, due, ending, then by start)."""
    qs = visible_actions(viewer, city_id=city_id).prefetch_related("follow_ups")
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_id=owner)
    if place:
        qs = qs.filter(place_id=place)
    rows = [ActionRow(a, deadline_flag(a, today)) for a in qs]
    if flag:
        rows = [r for r in rows if r.flag == flag]
    rank = {"overdue": 0, "due": 1, "ending": 2, "": 3}
    rows.sort(key=lambda r: (r.action.status not in OPEN, rank[r.flag],
                             r.action.start.toordinal() * (1 if r.action.status in OPEN
                                                           else -1)))
    return rows


def actions_at(viewer: Viewer, place_ids: Iterable[int], *, today: date) -> list[ActionRow]:
    """Actions at these places (a place and those merged into it) with follow-ups."""
    qs = (visible_actions(viewer).filter(place_id__in=list(place_ids))
          .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by(
              "due_date")), "causes"))
    return [ActionRow(a, deadline_flag(a, today)) for a in qs.order_by("-start", "-id")]


def follow_ups_due(viewer: Viewer, city_id: int, *, today: date) -> QuerySet[FollowUp]:
    """Follow-ups whose date has come and that are not computed yet (oldest first)."""
    return (FollowUp.objects.filter(action__in=visible_actions(viewer, city_id=city_id),
                                    due_date__lte=today, computed_at__isnull=True)
            .select_related("action", "action__place").order_by("due_date", "id"))

"""Reads of the weekly meeting, and the follow-up of last week's priority list.

Meetings are shared among the partners of a city: every member may read them. Figures
about reports go through :func:`drugscene.reports.selectors.filter_reports`, so each
viewer sees only counts of the reports they may see.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import h3
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, QuerySet
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.actions.models import Action, ActionStatus
from drugscene.cities.models import City
from drugscene.core import weeks
from drugscene.core.errors import NotVisible
from drugscene.geo import h3grid
from drugscene.meetings.models import Decision, Meeting, Priority
from drugscene.reports.models import ReviewStatus
from drugscene.reports.selectors import ReportFilter, filter_reports

#: Reports not linked to a place still count for it within this distance of its point.
PLACE_RADIUS_M = 100
#: Rejected and duplicate reports do not show that anything happened.
COUNTED_REVIEW = (ReviewStatus.NEW, ReviewStatus.CONFIRMED)
#: Resolution of the hot-spot cells offered when setting priorities (about 350 m across).
HOT_CELL_RESOLUTION = 9


def visible_meetings(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("city", "chair")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    if viewer.is_superuser:
        return qs
    if viewer.is_anonymous:
        return qs.none()
    return qs.filter(city_id__in=viewer.cities_where(Perm.VIEW_REPORTS))


def meetings_of(viewer: Viewer, city_id: int) -> QuerySet[Meeting]:
    """The city's meetings, newest week first, with their numbers of decisions/priorities."""
    return (
        visible_meetings(viewer, city_id=city_id)
        .annotate(
            n_decisions=Count("decisions", distinct=True),
            n_open=Count("decisions", filter=Q(decisions__done=False), distinct=True),
            n_priorities=Count("priorities", distinct=True),
            n_attendees=Count("attendees", distinct=True),
        )
        .order_by("-iso_week")
    )


def get_meeting(viewer: Viewer, city_id: int, iso_week: str) -> Meeting:
    meeting = (
        visible_meetings(viewer, city_id=city_id)
        .prefetch_related("attendees")
        .filter(iso_week=iso_week)
        .first()
    )
    if meeting is None:
        raise NotVisible(_("No meeting in week %(week)s.") % {"week": iso_week})
    return meeting


def get_meeting_by_id(viewer: Viewer, meeting_id: int) -> Meeting:
    meeting = visible_meetings(viewer).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotVisible(_("Meeting %(id)s not found.") % {"id": meeting_id})
    return meeting


def _visible_children(model, viewer: Viewer) -> QuerySet:
    qs = model.objects.select_related("meeting", "meeting__city")
    if viewer.is_superuser:
        return qs
    return qs.filter(meeting__city_id__in=viewer.cities_where(Perm.VIEW_REPORTS))


def get_decision(viewer: Viewer, decision_id: int) -> Decision:
    decision = _visible_children(Decision, viewer).filter(pk=decision_id).first()
    if decision is None:
        raise NotVisible(_("Decision %(id)s not found.") % {"id": decision_id})
    return decision


def get_priority(viewer: Viewer, priority_id: int) -> Priority:
    priority = _visible_children(Priority, viewer).filter(pk=priority_id).first()
    if priority is None:
        raise NotVisible(_("Priority %(id)s not found.") % {"id": priority_id})
    return priority


def decisions_of(meeting: Meeting) -> QuerySet[Decision]:
    return meeting.decisions.select_related("owner").order_by("done", "due", "id")


def open_decisions_before(viewer: Viewer, city_id: int, iso_week: str) -> QuerySet[Decision]:
    """Decisions of earlier meetings that are not done yet (they come back every week)."""
    return (
        _visible_children(Decision, viewer)
        .filter(meeting__city_id=city_id, meeting__iso_week__lt=iso_week, done=False)
        .select_related("owner")
        .order_by(F("due").asc(nulls_last=True), "meeting__iso_week", "id")
    )


def priorities_set_by(meeting: Meeting) -> QuerySet[Priority]:
    """The priority list this meeting set for the following week."""
    return meeting.priorities.select_related("organisation", "place", "area").order_by(
        "organisation__name", "id")


def priorities_for_week(viewer: Viewer, city_id: int, week: str) -> QuerySet[Priority]:
    """Priorities (set by any meeting of the city) that target ``week``."""
    return (
        _visible_children(Priority, viewer)
        .filter(meeting__city_id=city_id, for_week=week)
        .select_related("organisation", "place", "area")
        .order_by("organisation__name", "id")
    )


# --- follow-up: were last week's priorities acted on? --------------------------------------

@dataclass(frozen=True)
class PriorityFollowUp:
    """What happened at a priority's target in the week it was set for.

    ``own_reports`` are reports the prioritised organisation made there that week;
    ``own_actions`` the actions it owned there that were active that week; ``other_actions``
    actions of other organisations there. ``reports`` / ``reports_before`` count all
    visible (not rejected, not duplicate) reports there this week and the week before.
    """

    priority: Priority
    own_reports: int
    reports: int
    reports_before: int
    own_actions: list = field(default_factory=list)
    other_actions: list = field(default_factory=list)

    @property
    def acted_on(self) -> bool:
        return self.own_reports > 0 or bool(self.own_actions)

    @property
    def change(self) -> int:
        return self.reports - self.reports_before

    @property
    def abs_change(self) -> int:
        return abs(self.change)

    @property
    def change_pct(self) -> float | None:
        if self.reports_before == 0:
            return None
        return 100.0 * self.change / self.reports_before


def report_target_q(priority: Priority) -> Q:
    """The reports "at" a priority's target.

    A place: reports linked to it, or within about :data:`PLACE_RADIUS_M` of its point (a
    square box; partners often report without choosing the place). A district: reports in
    it. A cell: reports whose stored cell lies inside it (compare ``cell`` annotated by
    :func:`annotate_cells`).
    """
    if priority.place_id:
        place = priority.place
        dlat = PLACE_RADIUS_M / 111_320
        dlon = PLACE_RADIUS_M / (111_320 * max(math.cos(math.radians(place.lat)), 0.01))
        return Q(place_id=place.pk) | Q(
            lat__gte=place.lat - dlat, lat__lte=place.lat + dlat,
            lon__gte=place.lon - dlon, lon__lte=place.lon + dlon,
        )
    if priority.area_id:
        return Q(area_id=priority.area_id)
    return Q(**{cell_field(priority.h3_cell): h3.str_to_int(priority.h3_cell)})


def cell_field(cell: str) -> str:
    return f"cell_r{h3.get_resolution(cell)}"


def annotate_cells(qs: QuerySet, resolutions: set[int]) -> QuerySet:
    """Add ``cell_rN``: each report's parent cell at resolution N (bit arithmetic in SQL)."""
    for res in sorted(resolutions):
        keep, bits = h3grid.parent_parts(res)
        # BigIntegerField: else PostgreSQL's lookups take the annotation for a 32-bit
        # integer and an H3 cell (> 2**31) becomes an empty result
        qs = qs.annotate(**{f"cell_r{res}": ExpressionWrapper(
            F("h3_cell").bitand(keep).bitor(bits), output_field=BigIntegerField())})
    return qs


def priorities_followed_up(viewer: Viewer, city: City, week: str) -> list[PriorityFollowUp]:
    """For each priority set for ``week``: was it acted on, and what changed there.

    One query per priority for the report counts (this week, the week before, and the
    organisation's own) and one for the actions of all priorities together.
    """
    weeks.parse(week, field="week")
    start, end = weeks.bounds(week, city.timezone)
    before_start, _end = weeks.bounds(weeks.previous(week), city.timezone)
    priorities = list(priorities_for_week(viewer, city.pk, week))
    if not priorities:
        return []
    base = filter_reports(viewer, ReportFilter(city_id=city.pk, start=before_start, end=end,
                                               review=COUNTED_REVIEW))
    base = annotate_cells(base, {h3.get_resolution(p.h3_cell) for p in priorities
                                 if p.h3_cell})
    this_week = Q(occurred_from__gte=start)
    actions = actions_in_week(city, start, end)
    out = []
    for p in priorities:
        counts = base.filter(report_target_q(p)).aggregate(
            reports=Count("id", filter=this_week),
            reports_before=Count("id", filter=~this_week),
            own_reports=Count("id", filter=this_week & Q(source_id=p.organisation_id)),
        )
        here = [a for a in actions if _action_at(a, p)]
        out.append(PriorityFollowUp(
            priority=p,
            own_reports=counts["own_reports"],
            reports=counts["reports"],
            reports_before=counts["reports_before"],
            own_actions=[a for a in here if a.owner_id == p.organisation_id],
            other_actions=[a for a in here if a.owner_id != p.organisation_id],
        ))
    return out


def actions_in_week(city: City, start: datetime, end: datetime) -> list[Action]:
    """Actions of the city active some time in ``[start, end)`` (not cancelled)."""
    first, last = start.date(), (end - timedelta(days=1)).date()
    return list(
        Action.objects.filter(city=city)
        .exclude(status=ActionStatus.CANCELLED)
        .filter(start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .select_related("owner", "place")
        .order_by("start", "id")
    )


def _action_at(action: Action, priority: Priority) -> bool:
    if priority.place_id:
        return action.place_id == priority.place_id
    if priority.area_id:
        return action.area_id == priority.area_id or (
            action.place is not None and action.place.area_id == priority.area_id)
    if action.place is None:
        return False
    res = h3.get_resolution(priority.h3_cell)
    return h3.latlng_to_cell(action.place.lat, action.place.lon, res) == priority.h3_cell


# --- hot-spot cells offered to the priority form ---------------------------------------

def hot_cells(viewer: Viewer, city: City, week: str, *, limit: int = 12) -> list[tuple[str, int]]:
    """The cells with most visible drug-related reports in the four weeks before ``week``
    (candidates for "which hot spot do we target"), as ``(h3 string, count)``."""
    from drugscene.reports.models import Category

    start, _end = weeks.bounds(weeks.shift(week, -4), city.timezone)
    end, _next = weeks.bounds(week, city.timezone)
    drug_ids = list(Category.objects.filter(city=city, drug_related=True)
                    .values_list("pk", flat=True))
    qs = filter_reports(viewer, ReportFilter(city_id=city.pk, start=start, end=end,
                                             review=COUNTED_REVIEW))
    qs = qs.filter(category_id__in=drug_ids)
    keep, bits = h3grid.parent_parts(HOT_CELL_RESOLUTION)
    rows = (
        qs.order_by()
        .annotate(cell=F("h3_cell").bitand(keep).bitor(bits))
        .values("cell")
        .annotate(n=Count("id"))
        .order_by("-n", "cell")
        .values_list("cell", "n")[:limit]
    )
    return [(h3.int_to_str(int(c)), int(n)) for c, n in rows]


def meeting_page_data(viewer: Viewer, meeting: Meeting) -> dict:
    """Everything the meeting page shows besides the forms."""
    decisions = list(decisions_of(meeting))
    priorities = list(priorities_set_by(meeting))
    by_org: dict[str, list[Priority]] = {}
    for p in priorities:
        by_org.setdefault(p.organisation.name, []).append(p)
    return {
        "decisions": decisions,
        "earlier_open": list(open_decisions_before(viewer, meeting.city_id, meeting.iso_week)),
        "priorities_by_org": sorted(by_org.items()),
        "followups": priorities_followed_up(viewer, meeting.city, meeting.iso_week),
        "attendees": sorted(meeting.attendees.all(), key=lambda o: o.name),
    }

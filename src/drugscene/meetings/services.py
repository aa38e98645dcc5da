"""Every write of the weekly meeting: validated, scrubbed, one transaction, one audit entry.

Coordinators run the meeting (the permission to manage places); the owner organisation of
a decision may also mark it done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import h3
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.accounts.models import Organisation, OrganisationKind
from drugscene.audit import services as audit
from drugscene.cities.models import Area, City
from drugscene.core import weeks
from drugscene.core.errors import PermissionDenied, ValidationFailed
from drugscene.core.validation import Problems, scrubbed, seat_organisation
from drugscene.geo import h3grid
from drugscene.meetings import selectors
from drugscene.meetings.models import Decision, Meeting, Priority
from drugscene.places.models import Place

COORDINATE = Perm.MANAGE_PLACES
MAX_NOTES = 8000
MAX_DECISION = 2000
MAX_WHAT = 200
#: Hot-spot cells coarser than a district make no sense; finer than the stored cell of a
#: report cannot be matched (reports keep their resolution-12 cell).
CELL_RESOLUTIONS = range(6, h3grid.STORE_RESOLUTION + 1)


def _require_coordinator(viewer: Viewer, city_id: int) -> None:
    if not viewer.can(COORDINATE, city_id):
        raise PermissionDenied(_("Only coordinators run the partner meetings."))


def _partner(city: City, org_id: int | None, errors: Problems, name: str,
             *, required: bool) -> Organisation | None:
    if org_id is None:
        if required:
            errors.add(name, _("Choose an organisation."))
        return None
    org = (Organisation.objects.filter(city=city, pk=org_id)
           .exclude(kind=OrganisationKind.CITIZEN_CHANNEL).first())
    if org is None:
        errors.add(name, _("Unknown organisation."))
    return org


def _meeting_snapshot(meeting: Meeting) -> dict[str, object]:
    data = audit.snapshot(meeting)
    data.pop("updated_at", None)
    data["attendees"] = sorted(meeting.attendees.values_list("pk", flat=True))
    return data


# --- the meeting ----------------------------------------------------------------------------

@dataclass
class MeetingInput:
    """The meeting of one ISO week; saving it again for the same week updates it."""

    iso_week: str
    date: date | None = None
    chair_id: int | None = None
    attendee_ids: list[int] = field(default_factory=list)
    notes: str = ""


def save_meeting(viewer: Viewer, city: City, data: MeetingInput) -> Meeting:
    """Create the meeting of ``data.iso_week`` or update it (idempotent per week)."""
    _require_coordinator(viewer, city.pk)
    errors = Problems()
    week = (data.iso_week or "").strip()
    try:
        weeks.parse(week)
    except ValidationFailed as exc:
        errors.add("iso_week", exc.message)
        week = ""
    day = data.date
    if week:
        first, last = weeks.dates(week)
        if day is not None and not first <= day <= last:
            errors.add("date", _("The date must lie in week %(week)s (%(first)s to %(last)s).")
                       % {"week": week, "first": first.isoformat(), "last": last.isoformat()})
    chair = _partner(city, data.chair_id, errors, "chair", required=False)
    wanted = set(data.attendee_ids or [])
    attendees = list(Organisation.objects.filter(city=city, pk__in=wanted)
                     .exclude(kind=OrganisationKind.CITIZEN_CHANNEL))
    if len(attendees) != len(wanted):
        errors.add("attendees", _("Unknown organisation."))
    if len(data.notes or "") > MAX_NOTES:
        errors.add("notes", _("At most %(n)s characters.") % {"n": MAX_NOTES})
    errors.raise_if_any()
    if chair is not None and chair.pk not in wanted:
        attendees.append(chair)  # the chair attends
    notes = scrubbed(data.notes)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(city=city, iso_week=week).first()
        created = meeting is None
        before = {} if created else _meeting_snapshot(meeting)
        if created:
            meeting = Meeting(city=city, iso_week=week)
        meeting.date = day or meeting.date or weeks.monday(week)
        meeting.chair = chair
        meeting.notes = notes
        meeting.save()
        meeting.attendees.set(attendees)
        after = _meeting_snapshot(meeting)
        changes = after if created else audit.diff(before, after)
        if changes:
            audit.record(action="create" if created else "update", obj=meeting,
                         changes=changes, user_id=viewer.user_id,
                         organisation_id=seat_organisation(viewer, city.pk))
    return meeting


# --- decisions ------------------------------------------------------------------------------

@dataclass
class DecisionInput:
    text: str
    owner_id: int | None = None
    due: date | None = None


def add_decision(viewer: Viewer, meeting_id: int, data: DecisionInput) -> Decision:
    meeting = selectors.get_meeting_by_id(viewer, meeting_id)
    _require_coordinator(viewer, meeting.city_id)
    errors = Problems()
    text = (data.text or "").strip()
    if not text:
        errors.add("text", _("Write the decision."))
    elif len(text) > MAX_DECISION:
        errors.add("text", _("At most %(n)s characters.") % {"n": MAX_DECISION})
    owner = _partner(meeting.city, data.owner_id, errors, "owner", required=False)
    if data.due is not None and data.due < meeting.date:
        errors.add("due", _("The due date lies before the meeting."))
    errors.raise_if_any()
    with transaction.atomic():
        decision = Decision.objects.create(meeting=meeting, text=scrubbed(text), owner=owner,
                                           due=data.due)
        audit.record(action="create", obj=decision, changes=audit.snapshot(decision),
                     user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, meeting.city_id))
    return decision


def set_decision_done(viewer: Viewer, decision_id: int, done: bool = True) -> Decision:
    """Coordinators, or members of the owner organisation who may report, mark it done."""
    decision = selectors.get_decision(viewer, decision_id)
    city_id = decision.meeting.city_id
    owner_member = (decision.owner_id is not None
                    and decision.owner_id in viewer.organisation_ids
                    and viewer.can(Perm.CREATE_REPORT, city_id))
    if not (viewer.can(COORDINATE, city_id) or owner_member):
        raise PermissionDenied(_("Only coordinators or the owner organisation update a "
                                 "decision."))
    fields = ["done", "done_at"]
    with transaction.atomic():
        before = audit.snapshot(decision, fields)
        decision.done = bool(done)
        decision.done_at = timezone.now() if done else None
        decision.save(update_fields=fields)
        audit.record(action="update", obj=decision,
                     changes=audit.diff(before, audit.snapshot(decision, fields)),
                     user_id=viewer.user_id, organisation_id=seat_organisation(viewer, city_id))
    return decision


def remove_decision(viewer: Viewer, decision_id: int) -> None:
    decision = selectors.get_decision(viewer, decision_id)
    city_id = decision.meeting.city_id
    _require_coordinator(viewer, city_id)
    with transaction.atomic():
        audit.record(action="delete", obj=decision, changes=audit.snapshot(decision),
                     user_id=viewer.user_id, organisation_id=seat_organisation(viewer, city_id))
        decision.delete()


# --- the priority list for next week ------------------------------------------------------

@dataclass
class PriorityInput:
    """What ``organisation_id`` targets next week: exactly one of place, district, cell."""

    organisation_id: int | None
    what: str
    place_id: int | None = None
    area_id: int | None = None
    h3_cell: str | None = None


def normalise_cell(value: str | None) -> str | None:
    """An H3 index as its canonical lower-case string, or ``None`` when empty."""
    value = (value or "").strip().lower()
    return value or None


def _check_cell(city: City, cell: str, errors: Problems) -> None:
    if not h3.is_valid_cell(cell):
        errors.add("h3_cell", _("Not a valid H3 cell index."))
        return
    res = h3.get_resolution(cell)
    if res not in CELL_RESOLUTIONS:
        errors.add("h3_cell", _("Use a cell of resolution %(lo)s to %(hi)s (this one is %(res)s).")
                   % {"lo": CELL_RESOLUTIONS[0], "hi": CELL_RESOLUTIONS[-1], "res": res})
        return
    if city.boundary:
        import shapely

        from drugscene.cities.selectors import city_shape

        lat, lon = h3.cell_to_latlng(cell)
        if not shapely.contains_xy(city_shape(city), lon, lat):
            errors.add("h3_cell", _("The cell lies outside %(city)s.") % {"city": city.name})


def add_priority(viewer: Viewer, meeting_id: int, data: PriorityInput) -> Priority:
    """Add a line to the priority list the meeting sets for the following week."""
    meeting = selectors.get_meeting_by_id(viewer, meeting_id)
    city = meeting.city
    _require_coordinator(viewer, city.pk)
    errors = Problems()
    org = _partner(city, data.organisation_id, errors, "organisation", required=True)
    cell = normalise_cell(data.h3_cell)
    targets = [t for t in (data.place_id, data.area_id, cell) if t is not None]
    place = area = None
    if len(targets) != 1:
        errors.add("place", _("Choose exactly one target: a place, a district or a hot-spot "
                              "cell."))
    else:
        if data.place_id is not None:
            place = Place.objects.filter(city=city, pk=data.place_id).first()
            if place is None:
                errors.add("place", _("Unknown place."))
        if data.area_id is not None:
            area = Area.objects.filter(city=city, pk=data.area_id).first()
            if area is None:
                errors.add("area", _("Unknown district."))
        if cell is not None:
            _check_cell(city, cell, errors)
    what = (data.what or "").strip()
    if not what:
        errors.add("what", _("Say what the organisation will do there."))
    elif len(what) > MAX_WHAT:
        errors.add("what", _("At most %(n)s characters.") % {"n": MAX_WHAT})
    errors.raise_if_any()
    with transaction.atomic():
        priority = Priority.objects.create(
            meeting=meeting, organisation=org, place=place, area=area, h3_cell=cell,
            what=scrubbed(what), for_week=weeks.following(meeting.iso_week),
        )
        audit.record(action="create", obj=priority, changes=audit.snapshot(priority),
                     user_id=viewer.user_id, organisation_id=seat_organisation(viewer, city.pk))
    return priority


def remove_priority(viewer: Viewer, priority_id: int) -> None:
    priority = selectors.get_priority(viewer, priority_id)
    city_id = priority.meeting.city_id
    _require_coordinator(viewer, city_id)
    with transaction.atomic():
        audit.record(action="delete", obj=priority, changes=audit.snapshot(priority),
                     user_id=viewer.user_id, organisation_id=seat_organisation(viewer, city_id))
        priority.delete()

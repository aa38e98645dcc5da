"""Meeting services: one meeting per week, validation naming fields, scrubbing,
permissions and one audit entry per write."""

from __future__ import annotations

from datetime import date

import h3
import pytest

from drugscene.audit.models import AuditEntry
from drugscene.core.errors import NotVisible, PermissionDenied, ValidationFailed
from drugscene.meetings import services
from drugscene.meetings.models import Decision, Meeting, Priority
from drugscene.meetings.services import DecisionInput, MeetingInput, PriorityInput
from tests import factories

pytestmark = pytest.mark.django_db

WEEK = "2026-W10"  # Monday 2 March .. Sunday 8 March 2026
PHONE = "070-123 45 67"


def meeting(world, week: str = WEEK, by: str = "municipality_coordinator", **kw) -> Meeting:
    data = {"iso_week": week, "date": None,
            "attendee_ids": [world.orgs["police"].pk, world.orgs["social"].pk]}
    data.update(kw)
    return services.save_meeting(world.viewer(by), world.city, MeetingInput(**data))


def entries(obj) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=obj._meta.label_lower,
                                          object_id=str(obj.pk)).order_by("id"))


# --- the meeting ---------------------------------------------------------------------------

def test_saving_the_same_week_twice_updates_one_meeting(world):
    first = meeting(world, date=date(2026, 3, 3), notes="Lugnt vid Torget.")
    again = meeting(world, date=date(2026, 3, 4), notes="Lugnt vid Torget.",
                    chair_id=world.orgs["municipality"].pk)
    assert first.pk == again.pk
    assert Meeting.objects.count() == 1
    again.refresh_from_db()
    assert again.date == date(2026, 3, 4)
    assert again.chair == world.orgs["municipality"]
    log = entries(again)
    assert [e.action for e in log] == ["create", "update"]
    assert set(log[1].changes) == {"date", "chair_id", "attendees"}  # chair attends


def test_saving_without_changes_writes_no_audit_entry(world):
    m = meeting(world, date=date(2026, 3, 3))
    meeting(world, date=date(2026, 3, 3))
    assert len(entries(m)) == 1


def test_date_defaults_to_the_monday_and_is_kept_on_update(world):
    m = meeting(world)
    assert m.date == date(2026, 3, 2)
    meeting(world, date=date(2026, 3, 5))
    m = meeting(world)  # no date given: keep the one recorded
    assert m.date == date(2026, 3, 5)


@pytest.mark.parametrize("week", ["2025-W53", "2026-W54", "2026-10", "W10", ""])
def test_invalid_week_is_named_and_nothing_stored(world, week):
    with pytest.raises(ValidationFailed) as exc:
        meeting(world, week=week)
    assert "iso_week" in exc.value.errors
    assert Meeting.objects.count() == 0


def test_week_53_of_a_long_year_is_accepted(world):
    assert meeting(world, week="2026-W53").date == date(2026, 12, 28)


def test_all_problems_at_once(world):
    other_city = factories.make_city("otherby")
    from drugscene.accounts.models import Organisation

    stranger = Organisation.objects.create(city=other_city, slug="p", name="P", kind="police")
    with pytest.raises(ValidationFailed) as exc:
        meeting(world, date=date(2026, 4, 1), chair_id=stranger.pk,
                attendee_ids=[stranger.pk], notes="x" * 9000)
    assert set(exc.value.errors) == {"date", "chair", "attendees", "notes"}
    assert Meeting.objects.count() == 0


def test_notes_are_scrubbed_before_storage_and_audit(world):
    m = meeting(world, notes=f"Ring {PHONE} om nycklarna.")
    m.refresh_from_db()
    assert "070" not in m.notes and "nycklarna" in m.notes
    assert PHONE not in str(entries(m)[0].changes)


@pytest.mark.parametrize("role", ["viewer", "reporter", "analyst"])
def test_only_coordinators_run_meetings(world, role):
    with pytest.raises(PermissionDenied):
        meeting(world, by=f"police_{role}")
    assert Meeting.objects.count() == 0


def test_admin_and_any_organisations_coordinator_may(world):
    meeting(world, by="police_coordinator")
    meeting(world, week="2026-W11", by="social_admin")
    assert Meeting.objects.count() == 2


def other_coordinator():
    """A coordinator of another city."""
    from drugscene.accounts.access import viewer_for
    from drugscene.accounts.models import Organisation

    other = factories.make_city("otherby")
    org = Organisation.objects.create(city=other, slug="m", name="M", kind="municipality")
    return viewer_for(factories.make_user("other_coordinator", org, "coordinator"))


def test_coordinator_of_another_city_cannot_touch_this_one(world):
    m = meeting(world)
    stranger = other_coordinator()
    with pytest.raises(NotVisible):
        services.add_decision(stranger, m.pk, DecisionInput(text="x"))
    with pytest.raises(PermissionDenied):
        services.save_meeting(stranger, world.city, MeetingInput(iso_week="2026-W12"))


# --- decisions ------------------------------------------------------------------------------

def test_decision_is_scrubbed_and_audited(world):
    m = meeting(world)
    d = services.add_decision(world.viewer("municipality_coordinator"), m.pk, DecisionInput(
        text=f"Polisen kontaktar fastighetsägaren på {PHONE}.",
        owner_id=world.orgs["police"].pk, due=date(2026, 3, 20)))
    assert "070" not in d.text and d.owner == world.orgs["police"]
    assert [e.action for e in entries(d)] == ["create"]


def test_decision_problems_are_named(world):
    m = meeting(world)
    with pytest.raises(ValidationFailed) as exc:
        services.add_decision(world.viewer("municipality_coordinator"), m.pk, DecisionInput(
            text="  ", owner_id=999_999, due=date(2026, 1, 1)))
    assert set(exc.value.errors) == {"text", "owner", "due"}
    assert Decision.objects.count() == 0


def test_owner_organisation_marks_its_decision_done(world):
    m = meeting(world)
    coordinator = world.viewer("municipality_coordinator")
    d = services.add_decision(coordinator, m.pk, DecisionInput(
        text="Beskär buskarna", owner_id=world.orgs["housing"].pk))
    with pytest.raises(PermissionDenied):
        services.set_decision_done(world.viewer("police_reporter"), d.pk)
    with pytest.raises(PermissionDenied):
        services.set_decision_done(world.viewer("housing_viewer"), d.pk)
    d = services.set_decision_done(world.viewer("housing_reporter"), d.pk)
    assert d.done and d.done_at is not None
    d = services.set_decision_done(coordinator, d.pk, done=False)
    assert not d.done and d.done_at is None
    assert [e.action for e in entries(d)] == ["create", "update", "update"]


def test_removing_a_decision_is_audited(world):
    m = meeting(world)
    d = services.add_decision(world.viewer("municipality_coordinator"), m.pk,
                              DecisionInput(text="Ta bort mig"))
    pk = d.pk
    with pytest.raises(PermissionDenied):
        services.remove_decision(world.viewer("police_reporter"), pk)
    services.remove_decision(world.viewer("municipality_coordinator"), pk)
    assert not Decision.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_type="meetings.decision", object_id=str(pk),
                                     action="delete").count() == 1


# --- priorities -----------------------------------------------------------------------------

def cell_in_city(res: int = 9) -> str:
    return h3.latlng_to_cell(59.0, 16.895, res)


def add(world, m, by="municipality_coordinator", **kw) -> Priority:
    data = {"organisation_id": world.orgs["police"].pk, "what": "Synlig närvaro fre–lör"}
    data.update(kw)
    return services.add_priority(world.viewer(by), m.pk, PriorityInput(**data))


def test_priority_is_for_the_following_week(world):
    m = meeting(world, week="2026-W53")
    p = add(world, m, place_id=world.place.pk)
    assert p.for_week == "2027-W01"
    assert p.target_kind == "place"
    assert [e.action for e in entries(p)] == ["create"]


def test_priority_targets_a_district_or_a_cell(world):
    m = meeting(world)
    area = world.place.area
    assert add(world, m, area_id=area.pk).target_kind == "area"
    p = add(world, m, h3_cell=cell_in_city().upper())
    assert p.target_kind == "cell" and p.h3_cell == cell_in_city()


@pytest.mark.parametrize("targets", [{}, {"place": True, "area": True},
                                     {"place": True, "cell": True}])
def test_exactly_one_target(world, targets):
    m = meeting(world)
    kw = {}
    if targets.get("place"):
        kw["place_id"] = world.place.pk
    if targets.get("area"):
        kw["area_id"] = world.place.area_id
    if targets.get("cell"):
        kw["h3_cell"] = cell_in_city()
    with pytest.raises(ValidationFailed) as exc:
        add(world, m, **kw)
    assert "place" in exc.value.errors
    assert Priority.objects.count() == 0


@pytest.mark.parametrize(("cell", "why"), [
    ("not-a-cell", "valid"),
    (h3.latlng_to_cell(59.0, 16.895, 4), "resolution"),
    (h3.latlng_to_cell(59.0, 16.895, 13), "resolution"),
    (h3.latlng_to_cell(57.7, 11.97, 9), "outside"),
])
def test_bad_cells_are_named(world, cell, why):
    m = meeting(world)
    with pytest.raises(ValidationFailed) as exc:
        add(world, m, h3_cell=cell)
    assert list(exc.value.errors) == ["h3_cell"]
    assert why in exc.value.errors["h3_cell"][0]


def test_priority_problems_are_named_together(world):
    m = meeting(world)
    with pytest.raises(ValidationFailed) as exc:
        add(world, m, organisation_id=None, place_id=999_999, what="")
    assert set(exc.value.errors) == {"organisation", "place", "what"}


def test_priority_text_is_scrubbed(world):
    m = meeting(world)
    p = add(world, m, place_id=world.place.pk, what=f"Ring {PHONE}")
    assert "070" not in p.what


def test_only_coordinators_set_and_remove_priorities(world):
    m = meeting(world)
    with pytest.raises(PermissionDenied):
        add(world, m, by="police_analyst", place_id=world.place.pk)
    p = add(world, m, place_id=world.place.pk)
    with pytest.raises(PermissionDenied):
        services.remove_priority(world.viewer("police_reporter"), p.pk)
    services.remove_priority(world.viewer("police_coordinator"), p.pk)
    assert Priority.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="meetings.priority", action="delete").count() == 1

"""Action services: validation, defaults, permissions, audit and follow-up scheduling."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from drugscene.actions import selectors, services
from drugscene.actions.models import Action, FollowUp
from drugscene.audit.models import AuditEntry
from drugscene.core.errors import NotVisible, PermissionDenied, ValidationFailed
from drugscene.scenes import services as scene_services
from drugscene.scenes.checks import city_today
from tests.actions.conftest import place_at

pytestmark = pytest.mark.django_db


def coordinator(world):
    return world.viewer("municipality_coordinator")


def today(world) -> date:
    return city_today(world.city)


def action_input(world, **extra) -> services.ActionInput:
    data = {"owner_id": world.orgs["police"].pk, "kind": "hotspot_patrol",
            "title": "Patrull vid Torget", "start": today(world), "place_id": world.place.pk,
            "patrol_minutes": 15, "patrol_visits_per_week": 10}
    data.update(extra)
    return services.ActionInput(**data)


def analysis(world):
    return scene_services.record_cause_analysis(
        coordinator(world), world.place.pk, scene_services.CauseAnalysisInput(
            date=today(world), organisation_id=world.orgs["municipality"].pk,
            factors={"lighting": (True, "Mörkt"), "vegetation": (True, "")}))


def test_create_with_place_kind_default_principle_and_audit(world) -> None:
    a = services.create_action(coordinator(world), world.city, action_input(world))
    assert a.cpted_principle == "surveillance" and a.status == "planned"
    assert a.is_patrol and a.patrol_minutes == 15
    assert not a.follow_ups.exists()  # no end date yet
    entry = AuditEntry.objects.get(object_type="actions.action", object_id=str(a.pk))
    assert entry.action == "create" and entry.changes["follow_ups"] == []


@pytest.mark.parametrize(("kind", "principle"), [
    ("lighting", "surveillance"), ("events_activities", "activity_support"),
    ("night_closure", "access_control"), ("cleaning", "image_maintenance"),
    ("social_outreach", ""), ("physical_redesign", "target_hardening"),
])
def test_default_cpted_principle_per_kind(world, kind, principle) -> None:
    a = services.create_action(coordinator(world), world.city, action_input(
        world, kind=kind, patrol_minutes=None, patrol_visits_per_week=None))
    assert a.cpted_principle == principle


def test_explicit_principle_or_none_wins_over_the_default(world) -> None:
    a = services.create_action(coordinator(world), world.city,
                               action_input(world, cpted_principle="territoriality"))
    assert a.cpted_principle == "territoriality"
    b = services.create_action(coordinator(world), world.city,
                               action_input(world, cpted_principle=""))
    assert b.cpted_principle == ""


def test_a_district_action_needs_no_place(world) -> None:
    west = world.place.area
    a = services.create_action(coordinator(world), world.city,
                               action_input(world, place_id=None, area_id=west.pk,
                                            kind="parent_support", patrol_minutes=None,
                                            patrol_visits_per_week=None))
    assert a.area == west and a.place is None


def test_errors_name_every_field_and_nothing_is_stored(world) -> None:
    bad = action_input(world, place_id=None, area_id=None, kind="fireworks", title=" ",
                       start=today(world), end=today(world) - timedelta(days=1),
                       status="done", cost=Decimal("-5"), cpted_principle="magic",
                       owner_id=None)
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(coordinator(world), world.city, bad)
    assert {"place", "kind", "title", "end", "cost", "cpted_principle", "owner"} <= set(
        exc.value.errors)
    assert not Action.objects.exists()


def test_dosage_only_for_patrol_kinds(world) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(coordinator(world), world.city,
                               action_input(world, kind="lighting"))
    assert {"patrol_minutes", "patrol_visits_per_week"} <= set(exc.value.errors)


def test_status_rules(world) -> None:
    c = coordinator(world)
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(c, world.city, action_input(
            world, status="ongoing", start=today(world) + timedelta(days=3)))
    assert "status" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(c, world.city, action_input(world, status="done"))
    assert "end" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(c, world.city, action_input(
            world, status="done", end=today(world) + timedelta(days=3)))
    assert "end" in exc.value.errors


def test_causes_must_belong_to_the_place(world) -> None:
    factors = {f.factor: f for f in analysis(world).factors.all()}
    a = services.create_action(coordinator(world), world.city, action_input(
        world, kind="lighting", patrol_minutes=None, patrol_visits_per_week=None,
        cause_ids=[factors["lighting"].pk]))
    assert list(a.causes.all()) == [factors["lighting"]]
    assert list(factors["lighting"].actions.all()) == [a]
    other = place_at(world, "Parken", "park", north_m=200)
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(coordinator(world), world.city, action_input(
            world, place_id=other.pk, cause_ids=[factors["lighting"].pk]))
    assert "causes" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(coordinator(world), world.city,
                               action_input(world, cause_ids=[999_999]))
    assert "causes" in exc.value.errors


def test_description_and_title_are_scrubbed(world) -> None:
    a = services.create_action(coordinator(world), world.city, action_input(
        world, title="Kontakta 070-123 45 67", description="Mejla a.b@example.com, bil ABC 123"))
    a.refresh_from_db()
    assert "070" not in a.title
    assert "example.com" not in a.description and "ABC 123" not in a.description
    entry = AuditEntry.objects.get(object_type="actions.action", object_id=str(a.pk))
    assert "example.com" not in str(entry.changes)


def test_who_may_plan_and_change_actions(world) -> None:
    # a reporter plans for their own organisation only
    own = services.create_action(world.viewer("police_reporter"), world.city,
                                 action_input(world))
    assert own.owner == world.orgs["police"]
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(world.viewer("housing_reporter"), world.city,
                               action_input(world))
    assert "owner" in exc.value.errors
    with pytest.raises(PermissionDenied):
        services.create_action(world.viewer("police_viewer"), world.city, action_input(world))
    with pytest.raises(PermissionDenied):
        services.change_action_status(world.viewer("housing_analyst"), own.pk, "ongoing")
    services.change_action_status(world.viewer("police_analyst"), own.pk, "ongoing")
    with pytest.raises(NotVisible):
        services.change_action_status(world.viewer("outsider"), own.pk, "done")


def test_merged_place_cannot_get_new_actions(world) -> None:
    kiosk = place_at(world, "Kiosken", "fast_food", east_m=50)
    scene_services.merge_places(coordinator(world), [kiosk.pk], world.place.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.create_action(coordinator(world), world.city,
                               action_input(world, place_id=kiosk.pk))
    assert "place" in exc.value.errors


# --- follow-ups ----------------------------------------------------------------------------

def test_follow_ups_are_scheduled_when_the_action_gets_an_end(world) -> None:
    start = date(2026, 1, 10)
    a = services.create_action(coordinator(world), world.city, action_input(
        world, start=start, end=date(2026, 8, 31)))
    dues = {f.milestone: f.due_date for f in a.follow_ups.all()}
    assert dues == {"end": date(2026, 8, 31), "m3": date(2026, 11, 30),
                    "m6": date(2027, 2, 28), "m12": date(2027, 8, 31)}
    assert all(f.pending for f in a.follow_ups.all())
    services.schedule_follow_ups(a)  # idempotent
    assert a.follow_ups.count() == 4


def test_moving_the_end_moves_follow_ups_and_marks_results_stale(world) -> None:
    a = services.create_action(coordinator(world), world.city, action_input(
        world, start=date(2026, 1, 10), end=date(2026, 3, 31)))
    FollowUp.objects.filter(action=a, milestone="end").update(
        computed_at=timezone.now(), rate_ratio=0.5, verdict="fewer reports")
    data = action_input(world, start=date(2026, 1, 10), end=date(2026, 4, 30))
    services.update_action(coordinator(world), a.pk, data)
    end = a.follow_ups.get(milestone="end")
    assert end.due_date == date(2026, 4, 30) and end.pending
    assert a.follow_ups.get(milestone="m3").due_date == date(2026, 7, 30)
    entry = AuditEntry.objects.get(object_type="actions.action", action="update")
    assert entry.changes["end"] == ["2026-03-31", "2026-04-30"]
    services.update_action(coordinator(world), a.pk,
                           action_input(world, start=date(2026, 1, 10), end=None))
    assert list(a.follow_ups.values_list("milestone", flat=True)) == []


def test_finishing_an_action_ends_it_today_and_schedules_follow_ups(world) -> None:
    a = services.create_action(coordinator(world), world.city, action_input(
        world, start=today(world) - timedelta(days=30), status="ongoing"))
    a = services.change_action_status(coordinator(world), a.pk, "done")
    assert a.status == "done" and a.end == today(world)
    assert a.follow_ups.count() == 4
    entry = AuditEntry.objects.get(object_type="actions.action", action="status")
    assert entry.changes["status"] == ["ongoing", "done"]
    with pytest.raises(ValidationFailed) as exc:
        services.change_action_status(coordinator(world), a.pk, "ongoing",
                                      end=a.start - timedelta(days=1))
    assert "end" in exc.value.errors


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)), (date(2026, 12, 15), 12, date(2027, 12, 15)),
    (date(2026, 5, 5), 0, date(2026, 5, 5)),
])
def test_add_months(day, months, expected) -> None:
    assert services.add_months(day, months) == expected


def test_deadline_flags_and_follow_ups_due(world) -> None:
    t = today(world)
    c = coordinator(world)
    late = services.create_action(c, world.city, action_input(
        world, title="Skulle ha börjat", start=t - timedelta(days=2)))
    soon = services.create_action(c, world.city, action_input(
        world, title="Börjar snart", start=t + timedelta(days=3)))
    ending = services.create_action(c, world.city, action_input(
        world, title="Slutar snart", start=t - timedelta(days=10), status="ongoing",
        end=t + timedelta(days=5)))
    overrun = services.create_action(c, world.city, action_input(
        world, title="Borde ha slutat", start=t - timedelta(days=60), status="ongoing",
        end=t - timedelta(days=1)))
    later = services.create_action(c, world.city, action_input(
        world, title="Långt fram", start=t + timedelta(days=60)))
    flags = {r.action.pk: r.flag for r in selectors.action_rows(c, world.city.pk, today=t)}
    assert flags == {late.pk: "overdue", soon.pk: "due", ending.pk: "ending",
                     overrun.pk: "overdue", later.pk: ""}
    rows = selectors.action_rows(c, world.city.pk, today=t, flag="overdue")
    assert {r.action.pk for r in rows} == {late.pk, overrun.pk}
    due = selectors.follow_ups_due(c, world.city.pk, today=t)
    assert [(f.action_id, f.milestone) for f in due] == [(overrun.pk, "end")]

"""The scene register's lifecycle: registering, status transitions, merge and split."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from drugscene.audit.models import AuditEntry
from drugscene.core.errors import NotVisible, PermissionDenied, ValidationFailed
from drugscene.places.models import Place
from drugscene.scenes import selectors, services
from drugscene.scenes.checks import city_today
from drugscene.scenes.models import LinkKind, PlaceLink, PlaceStatusChange
from tests import factories
from tests.scenes.conftest import place_at

pytestmark = pytest.mark.django_db


def coordinator(world):
    return world.viewer("municipality_coordinator")


def entries(obj, action: str | None = None):
    qs = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return qs.filter(action=action) if action else qs


# --- registering -----------------------------------------------------------------------------

def test_register_place_records_first_status_and_one_audit_entry(world) -> None:
    day = city_today(world.city) - timedelta(days=3)
    place = services.register_place(
        coordinator(world), world.city, name="Parkeringshuset", place_type="garage",
        lon=16.91, lat=59.005, status="suspected", date=day,
        note="Ring 070-123 45 67 om nyckeln")
    assert place.area.slug == "east"
    change = place.status_changes.get()
    assert (change.from_status, change.status, change.date) == ("", "suspected", day)
    assert change.organisation == world.orgs["municipality"]
    assert "070" not in change.note and "[phone removed]" in change.note
    entry = entries(place).get()
    assert entry.action == "create" and "070-123 45 67" not in str(entry.changes)


def test_register_place_names_every_bad_field_and_stores_nothing(world) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.register_place(coordinator(world), world.city, name=" ", place_type="castle",
                                lon=None, lat=None, status="booming",
                                date=city_today(world.city) + timedelta(days=2))
    assert set(exc.value.errors) >= {"name", "place_type", "lon", "status", "date"}
    assert Place.objects.count() == 1
    assert not PlaceStatusChange.objects.exists()


def test_register_place_outside_the_city_is_refused(world) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.register_place(coordinator(world), world.city, name="Far away",
                                place_type="park", lon=18.0, lat=59.3)
    assert "lon" in exc.value.errors


@pytest.mark.parametrize("user", ["police_analyst", "housing_reporter", "social_viewer"])
def test_only_coordinators_register_places(world, user) -> None:
    with pytest.raises(PermissionDenied):
        services.register_place(world.viewer(user), world.city, name="X", place_type="park",
                                lon=16.9, lat=59.0)


# --- status --------------------------------------------------------------------------------

def test_status_moves_along_allowed_transitions_with_dates(world) -> None:
    today = city_today(world.city)
    place = world.place  # active
    services.change_status(coordinator(world), place.pk, "under_action",
                           date=today - timedelta(days=20), note="Belysning och patrull")
    services.change_status(coordinator(world), place.pk, "dormant",
                           date=today - timedelta(days=5))
    services.change_status(coordinator(world), place.pk, "active", date=today,
                           organisation_id=world.orgs["police"].pk)
    place.refresh_from_db()
    assert place.status == "active"
    history = selectors.status_history(place)
    assert [(h.from_status, h.status) for h in history] == [
        ("dormant", "active"), ("under_action", "dormant"), ("active", "under_action")]
    assert history[0].organisation == world.orgs["police"]
    assert entries(place, "status").count() == 3
    first = entries(place, "status").order_by("id").first()
    assert first.changes["status"] == ["active", "under_action"]


@pytest.mark.parametrize(("start", "target"), [
    ("suspected", "under_action"), ("active", "suspected"), ("dormant", "under_action"),
    ("resolved", "under_action"),
])
def test_forbidden_transitions_name_the_status_field(world, start, target) -> None:
    Place.objects.filter(pk=world.place.pk).update(status=start)
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(coordinator(world), world.place.pk, target)
    assert "status" in exc.value.errors
    assert not PlaceStatusChange.objects.exists()


@pytest.mark.parametrize("start", ["suspected", "active", "under_action", "dormant"])
@pytest.mark.parametrize("target", ["dormant", "resolved"])
def test_any_status_may_become_dormant_or_resolved(world, start, target) -> None:
    if start == target:
        return
    Place.objects.filter(pk=world.place.pk).update(status=start)
    services.change_status(coordinator(world), world.place.pk, target)
    world.place.refresh_from_db()
    assert world.place.status == target


def test_same_status_future_date_and_back_dating_are_refused(world) -> None:
    today = city_today(world.city)
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(coordinator(world), world.place.pk, "active")
    assert "status" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(coordinator(world), world.place.pk, "dormant",
                               date=today + timedelta(days=1))
    assert "date" in exc.value.errors
    services.change_status(coordinator(world), world.place.pk, "dormant", date=today)
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(coordinator(world), world.place.pk, "active",
                               date=today - timedelta(days=1))
    assert "date" in exc.value.errors


def test_status_change_needs_a_coordinator_and_a_partner_of_the_city(world) -> None:
    with pytest.raises(PermissionDenied):
        services.change_status(world.viewer("police_analyst"), world.place.pk, "dormant")
    with pytest.raises(NotVisible):
        services.change_status(world.viewer("outsider"), world.place.pk, "dormant")
    other = factories.make_city("annanstad")
    from drugscene.accounts.models import Organisation

    foreign = Organisation.objects.create(city=other, slug="x", name="X", kind="police")
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(coordinator(world), world.place.pk, "dormant",
                               organisation_id=foreign.pk)
    assert "organisation" in exc.value.errors


def test_note_is_scrubbed(world) -> None:
    change = services.change_status(coordinator(world), world.place.pk, "dormant",
                                    note="Bilen ABC 123 står här, mejla a.b@example.com")
    assert "ABC 123" not in change.note and "example.com" not in change.note


# --- merge ---------------------------------------------------------------------------------

def test_merge_resolves_places_keeps_their_reports_and_counts_them_for_the_target(world):
    kiosk = place_at(world, "Kiosken", "fast_food", east_m=80)
    bench = place_at(world, "Bänken", "park", north_m=60)
    r1 = factories.report(world, place_id=kiosk.pk, lon=None, lat=None)
    r2 = factories.report(world, place_id=bench.pk, lon=None, lat=None)
    factories.report(world, place_id=world.place.pk, lon=None, lat=None)
    day = city_today(world.city)
    target = services.merge_places(coordinator(world), [kiosk.pk, bench.pk], world.place.pk,
                                   day, note="Samma scen")
    assert target == world.place
    for p in (kiosk, bench):
        p.refresh_from_db()
        assert (p.status, p.merged_into_id) == ("resolved", world.place.pk)
        assert p.status_changes.get().status == "resolved"
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert (r1.place_id, r2.place_id) == (kiosk.pk, bench.pk)
    assert PlaceLink.objects.filter(kind=LinkKind.MERGED_INTO, to_place=world.place).count() == 2
    assert sorted(selectors.family_ids(world.place)) == sorted([world.place.pk, kiosk.pk,
                                                                bench.pk])
    rows = {r.place.pk: r for r in selectors.register(coordinator(world), world.city)}
    assert rows[world.place.pk].recent == 3
    assert rows[world.place.pk].merged_count == 2
    assert rows[kiosk.pk].recent == 1
    entry = entries(world.place, "merge").get()
    assert entry.changes["merged"] == [kiosk.pk, bench.pk]
    links = selectors.links_of(world.place)
    assert len(links.merged_from) == 2 and not links.merged_into


def test_merge_refuses_itself_merged_places_and_others(world) -> None:
    kiosk = place_at(world, "Kiosken", "fast_food", east_m=80)
    c = coordinator(world)
    with pytest.raises(ValidationFailed) as exc:
        services.merge_places(c, [world.place.pk], world.place.pk)
    assert "places" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.merge_places(c, [], world.place.pk)
    assert "places" in exc.value.errors
    services.merge_places(c, [kiosk.pk], world.place.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.merge_places(c, [kiosk.pk], world.place.pk)
    assert "places" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:  # a merged place receives nothing
        services.merge_places(c, [world.place.pk], kiosk.pk)
    assert "into" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(c, kiosk.pk, "active")
    assert "status" in exc.value.errors
    with pytest.raises(PermissionDenied):
        services.merge_places(world.viewer("police_reporter"), [kiosk.pk], world.place.pk)


# --- split ---------------------------------------------------------------------------------

def test_split_creates_linked_places_and_resolves_the_original(world) -> None:
    factories.report(world, place_id=world.place.pk, lon=None, lat=None)
    parts = [services.PlacePart("Torget norra", "square", 16.895, 59.001),
             services.PlacePart("Torget södra", "bus_stop", 16.895, 58.999)]
    created = services.split_place(coordinator(world), world.place.pk, parts,
                                   note="Två scener")
    assert [p.name for p in created] == ["Torget norra", "Torget södra"]
    for p in created:
        assert p.status == "active" and p.owner_kind == "municipal"
        assert p.links_out.get().to_place == world.place
        assert p.status_changes.get().from_status == ""
    world.place.refresh_from_db()
    assert world.place.status == "resolved"
    assert world.place.reports.count() == 1
    assert len(selectors.links_of(world.place).split_off) == 2
    entry = entries(world.place, "split").get()
    assert [n["name"] for n in entry.changes["new_places"]] == ["Torget norra",
                                                                "Torget södra"]


def test_split_can_keep_the_original_and_names_bad_parts(world) -> None:
    c = coordinator(world)
    created = services.split_place(c, world.place.pk,
                                   [services.PlacePart("Hörnet", "square", 16.896, 59.0)],
                                   close_original=False)
    world.place.refresh_from_db()
    assert world.place.status == "active" and len(created) == 1
    with pytest.raises(ValidationFailed) as exc:
        services.split_place(c, world.place.pk, [
            services.PlacePart("Ok", "square", 16.896, 59.0),
            services.PlacePart("", "castle", None, None)])
    assert {"part2_name", "part2_place_type", "part2_lon"} <= set(exc.value.errors)
    assert Place.objects.count() == 2


def test_register_counts_visible_reports_in_two_windows(world) -> None:
    now = timezone.now()
    for days in (1, 2, 30, 40, 70):
        factories.report(world, place_id=world.place.pk, lon=None, lat=None,
                         occurred_from=now - timedelta(days=days))
    rejected = factories.report(world, place_id=world.place.pk, lon=None, lat=None)
    rejected.review_status = "rejected"
    rejected.save()
    row = next(r for r in selectors.register(coordinator(world), world.city)
               if r.place == world.place)
    assert (row.recent, row.previous) == (2, 2)
    assert row.change == 0.0

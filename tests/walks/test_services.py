"""Safety-walk services: recording a walk with its findings, validation naming fields,
scrubbing, permissions, audit, and the lifecycle of a finding."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from drugscene.accounts.models import Organisation
from drugscene.audit.models import AuditEntry
from drugscene.core.errors import NotVisible, PermissionDenied, ValidationFailed
from drugscene.walks import selectors, services
from drugscene.walks.models import Finding, FindingStatus, SafetyWalk
from drugscene.walks.services import FindingInput, WalkInput
from tests import factories

pytestmark = pytest.mark.django_db
ROUTE = {"type": "LineString", "coordinates": [[16.893, 59.0], [16.895, 59.001],
                                               [16.897, 59.0]]}
PHONE = "070-123 45 67"


def finding(world, owner="housing", **kw) -> FindingInput:
    data = {"kind": "broken_light", "lon": 16.894, "lat": 59.0005,
            "owner_id": world.orgs[owner].pk}
    data.update(kw)
    return FindingInput(**data)


def walk(world, findings=(), by="municipality_coordinator", **kw) -> SafetyWalk:
    data = {"date": date(2026, 3, 3), "area_id": world.place.area_id, "route": ROUTE,
            "organisation_ids": [world.orgs["police"].pk, world.orgs["housing"].pk],
            "residents_count": 12, "other_participants_count": 4}
    data.update(kw)
    return services.create_walk(world.viewer(by), world.city, WalkInput(**data), list(findings))


def test_walk_with_findings_in_one_audit_entry(world):
    w = walk(world, [finding(world), finding(world, owner="municipality", kind="graffiti",
                                               note=f"Tagg, ring {PHONE}")])
    assert w.findings.count() == 2
    assert set(w.organisations.values_list("slug", flat=True)) == {"police", "housing"}
    [entry] = AuditEntry.objects.filter(object_type="walks.safetywalk", object_id=str(w.pk))
    assert entry.action == "create"
    assert len(entry.changes["findings"]) == 2
    assert PHONE not in str(entry.changes) and "[phone removed]" in str(entry.changes)
    assert AuditEntry.objects.count() == 1
    note = w.findings.get(kind="graffiti").note
    assert PHONE not in note and "070" not in note and "Tagg" in note


def test_walk_without_route_or_findings(world):
    w = walk(world, route=None, area_id=None, organisation_ids=[])
    assert w.route is None and w.findings.count() == 0


def test_route_is_normalised(world):
    route = {"type": "LineString", "coordinates": [[16.8931234567, 59.0], [16.895, 59.001, 12]]}
    w = walk(world, route=route)
    assert w.route == {"type": "LineString", "coordinates": [[16.893123, 59.0], [16.895, 59.001]]}


@pytest.mark.parametrize("route", [
    {"type": "Point", "coordinates": [16.9, 59.0]},
    {"type": "LineString", "coordinates": [[16.9, 59.0]]},
    {"type": "LineString", "coordinates": [[16.9, 59.0], [200, 59.0]]},
    {"type": "LineString", "coordinates": [[16.9, 59.0], ["a", "b"]]},
    {"type": "LineString", "coordinates": [[16.9, 59.0], [11.97, 57.7]]},  # leaves the city
    "LINESTRING(16.9 59, 16.91 59)",
])
def test_bad_routes_are_named(world, route):
    with pytest.raises(ValidationFailed) as exc:
        walk(world, route=route)
    assert list(exc.value.errors) == ["route"]
    assert SafetyWalk.objects.count() == 0


def test_every_problem_named_and_nothing_stored(world):
    stranger = Organisation.objects.create(city=factories.make_city("otherby"), slug="x",
                                           name="X", kind="police")
    future = timezone.localdate() + timedelta(days=5)
    with pytest.raises(ValidationFailed) as exc:
        walk(world, [finding(world),
                     finding(world, kind="unicorn", lon=11.97, lat=57.7, owner_id=stranger.pk,
                             due=date(2026, 1, 1)),
                     finding(world, lon=None, lat=None)],
             date=future, residents_count=-1, organisation_ids=[stranger.pk])
    errors = exc.value.errors
    assert set(errors) == {"date", "residents_count", "organisations", "finding-1-kind",
                           "finding-1-lon", "finding-1-owner", "finding-1-due", "finding-2-lon"}
    assert SafetyWalk.objects.count() == 0 and Finding.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_due_date_before_the_walk_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        walk(world, [finding(world, due=date(2026, 3, 1))])
    assert list(exc.value.errors) == ["finding-0-due"]


@pytest.mark.parametrize("role", ["viewer", "reporter", "analyst"])
def test_only_coordinators_record_walks(world, role):
    with pytest.raises(PermissionDenied):
        walk(world, by=f"housing_{role}")
    assert SafetyWalk.objects.count() == 0


def test_update_walk_is_audited_as_a_diff(world):
    w = walk(world)
    services.update_walk(world.viewer("police_coordinator"), w.pk, WalkInput(
        date=date(2026, 3, 3), area_id=world.place.area_id, route=ROUTE,
        organisation_ids=[world.orgs["police"].pk], residents_count=15,
        other_participants_count=4))
    entry = AuditEntry.objects.filter(object_type="walks.safetywalk").latest("id")
    assert entry.action == "update"
    assert set(entry.changes) == {"residents_count", "organisations"}


def test_add_finding_later(world):
    w = walk(world)
    f = services.add_finding(world.viewer("municipality_coordinator"), w.pk,
                             finding(world, kind="needles"))
    assert f.status == FindingStatus.OPEN
    assert AuditEntry.objects.filter(object_type="walks.finding", action="create").count() == 1
    with pytest.raises(PermissionDenied):
        services.add_finding(world.viewer("housing_reporter"), w.pk, finding(world))
    with pytest.raises(ValidationFailed) as exc:
        services.add_finding(world.viewer("municipality_coordinator"), w.pk,
                             finding(world, lon=None))
    assert list(exc.value.errors) == ["lon"]


# --- the lifecycle of a finding ------------------------------------------------------------

def test_owner_moves_its_finding_to_done(world):
    w = walk(world, [finding(world, owner="housing")])
    f = w.findings.get()
    owner = world.viewer("housing_reporter")
    f = services.set_finding_status(owner, f.pk, "in_progress")
    assert f.status == "in_progress" and f.done_at is None
    f = services.set_finding_status(owner, f.pk, "done")
    assert f.status == "done" and f.done_at is not None
    done_at = f.done_at
    f = services.set_finding_status(owner, f.pk, "done")  # again: nothing changes
    assert f.done_at == done_at
    f = services.set_finding_status(world.viewer("municipality_coordinator"), f.pk, "open")
    assert f.status == "open" and f.done_at is None
    actions = list(AuditEntry.objects.filter(object_type="walks.finding")
                   .values_list("action", flat=True))
    assert actions == ["update", "update", "update"]


@pytest.mark.parametrize("user", ["police_reporter", "housing_viewer", "outsider"])
def test_others_may_not_update_a_finding(world, user):
    f = walk(world, [finding(world, owner="housing")]).findings.get()
    with pytest.raises((PermissionDenied, NotVisible)):
        services.set_finding_status(world.viewer(user), f.pk, "done")
    f.refresh_from_db()
    assert f.status == "open"


def test_only_coordinators_reject(world):
    f = walk(world, [finding(world, owner="housing")]).findings.get()
    with pytest.raises(PermissionDenied):
        services.set_finding_status(world.viewer("housing_reporter"), f.pk, "rejected")
    f = services.set_finding_status(world.viewer("police_coordinator"), f.pk, "rejected")
    assert f.status == "rejected"


def test_unknown_status_is_named(world):
    f = walk(world, [finding(world)]).findings.get()
    with pytest.raises(ValidationFailed) as exc:
        services.set_finding_status(world.viewer("municipality_coordinator"), f.pk, "fixed")
    assert list(exc.value.errors) == ["status"]


def test_open_findings_are_open_or_in_progress_of_the_city(world):
    w = walk(world, [finding(world, kind=k) for k in
                     ("broken_light", "graffiti", "litter", "needles")])
    coordinator = world.viewer("municipality_coordinator")
    by_kind = {f.kind: f for f in w.findings.all()}
    services.set_finding_status(coordinator, by_kind["graffiti"].pk, "in_progress")
    services.set_finding_status(coordinator, by_kind["litter"].pk, "done")
    services.set_finding_status(coordinator, by_kind["needles"].pk, "rejected")
    kinds = set(selectors.open_findings(world.viewer("police_viewer"), world.city)
                .values_list("kind", flat=True))
    assert kinds == {"broken_light", "graffiti"}
    assert not selectors.open_findings(world.viewer("outsider"), world.city).exists()


def test_tasks_sorted_by_due_date(world):
    walk(world, [finding(world, due=date(2026, 4, 1), kind="litter"),
                 finding(world, kind="other"),
                 finding(world, due=date(2026, 3, 20), kind="graffiti"),
                 finding(world, owner="police", kind="hidden_corner")])
    viewer = world.viewer("housing_reporter")
    due = [f.kind for f in selectors.tasks_for(viewer, world.city, world.orgs["housing"].pk)]
    assert due == ["graffiti", "litter", "other"]
    latest = [f.kind for f in selectors.tasks_for(viewer, world.city, world.orgs["housing"].pk,
                                                  sort="-due")]
    assert latest == ["litter", "graffiti", "other"]
    assert selectors.tasks_for(viewer, world.city, None).count() == 4

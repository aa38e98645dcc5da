"""Safety-walk pages, tasks and the findings GeoJSON through the test client."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from drugscene.accounts.models import Organisation
from drugscene.walks import services
from drugscene.walks.models import Finding, SafetyWalk
from drugscene.walks.services import FindingInput, WalkInput
from tests import factories
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db
ROLES = ["viewer", "reporter", "analyst", "coordinator", "admin"]
RECORDS = {"coordinator", "admin"}
ROUTE = {"type": "LineString", "coordinates": [[16.893, 59.0], [16.897, 59.0]]}


def make_walk(world, kinds_owners=(("broken_light", "housing"), ("graffiti", "municipality"))):
    return services.create_walk(
        world.viewer("municipality_coordinator"), world.city,
        WalkInput(date=date(2026, 3, 3), area_id=world.place.area_id, route=ROUTE,
                  organisation_ids=[world.orgs["housing"].pk], residents_count=9),
        [FindingInput(kind=k, lon=16.894, lat=59.0005, owner_id=world.orgs[o].pk,
                      due=date(2026, 4, 1)) for k, o in kinds_owners])


@pytest.fixture
def a_walk(world):
    return make_walk(world)


def test_pages_need_sign_in(client, a_walk):
    for url in (reverse("walks:list"), reverse("walks:detail", args=[a_walk.pk]),
                reverse("walks:new"), reverse("walks:tasks")):
        response = client.get(url)
        assert response.status_code == 302, url


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_walks(as_user, a_walk, role):
    client = as_user(f"police_{role}")
    assert client.get(reverse("walks:list")).status_code == 200
    response = client.get(reverse("walks:detail", args=[a_walk.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Broken light" in html and "Graffiti" in html
    assert 'id="walk-config"' in html and "16.893" in html
    assert ("Add a finding" in html) == (role in RECORDS)
    assert_csp_clean(html)
    assert client.get(reverse("walks:tasks")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_record(as_user, role):
    response = as_user(f"housing_{role}").get(reverse("walks:new"))
    assert response.status_code == (200 if role in RECORDS else 403)
    if response.status_code == 200:
        html = response.content.decode()
        assert 'name="finding-TOTAL_FORMS"' in html and "finding-__prefix__-kind" in html
        assert_csp_clean(html)


def test_outsider_gets_403(as_user, a_walk):
    assert as_user("outsider").get(reverse("walks:list")).status_code == 403
    assert as_user("outsider").get(reverse("walks:detail", args=[a_walk.pk])).status_code \
        in (403, 404)


def walk_post(world, **over) -> dict:
    data = {
        "date": "2026-03-10", "area": world.place.area_id,
        "organisations": [world.orgs["police"].pk, world.orgs["housing"].pk],
        "residents_count": "14", "other_participants_count": "3",
        "notes": "Mörkt vid gångtunneln", "route": json.dumps(ROUTE),
        "finding-TOTAL_FORMS": "3", "finding-INITIAL_FORMS": "0",
        "finding-MIN_NUM_FORMS": "0", "finding-MAX_NUM_FORMS": "50",
        "finding-0-kind": "overgrown_vegetation", "finding-0-owner": world.orgs["housing"].pk,
        "finding-0-lat": "59.0004", "finding-0-lon": "16.8941", "finding-0-due": "2026-04-15",
        "finding-0-note": "Häcken skymmer entrén",
        # row 1 left empty (skipped)
        "finding-2-kind": "needles", "finding-2-owner": world.orgs["social"].pk,
        "finding-2-lat": "59.0006", "finding-2-lon": "16.8952",
    }
    data.update(over)
    return data


def test_record_a_walk_through_the_form(as_user, world):
    response = as_user("municipality_coordinator").post(reverse("walks:new"), walk_post(world))
    assert response.status_code == 302
    w = SafetyWalk.objects.get()
    assert response["Location"] == reverse("walks:detail", args=[w.pk])
    assert w.route == ROUTE and w.residents_count == 14
    assert sorted(w.findings.values_list("kind", flat=True)) == ["needles",
                                                                  "overgrown_vegetation"]


def test_bad_finding_is_named_on_its_row_and_nothing_stored(as_user, world):
    response = as_user("municipality_coordinator").post(reverse("walks:new"), walk_post(
        world, **{"finding-2-lon": "11.97", "finding-2-lat": "57.70"}))
    html = response.content.decode()
    assert response.status_code == 422
    assert "lies outside Testby" in html
    assert "Some findings need attention" in html
    assert SafetyWalk.objects.count() == 0 and Finding.objects.count() == 0


def test_bad_route_json_is_named(as_user, world):
    response = as_user("municipality_coordinator").post(
        reverse("walks:new"), walk_post(world, route="{not json"))
    assert response.status_code == 422
    assert 'href="#id_route"' in response.content.decode()
    assert SafetyWalk.objects.count() == 0


def test_finding_without_position_is_named(as_user, world):
    response = as_user("municipality_coordinator").post(
        reverse("walks:new"), walk_post(world, **{"finding-0-lat": "", "finding-0-lon": ""}))
    assert response.status_code == 422
    assert "A position is required" in response.content.decode()
    assert SafetyWalk.objects.count() == 0


def test_edit_walk(as_user, a_walk, world):
    client = as_user("municipality_coordinator")
    assert client.get(reverse("walks:edit", args=[a_walk.pk])).status_code == 200
    response = client.post(reverse("walks:edit", args=[a_walk.pk]), {
        "date": "2026-03-04", "residents_count": "20", "route": ""})
    assert response.status_code == 302
    a_walk.refresh_from_db()
    assert a_walk.residents_count == 20 and a_walk.route is None
    assert as_user("police_reporter").get(
        reverse("walks:edit", args=[a_walk.pk])).status_code == 403


def test_add_finding_on_the_walk_page(as_user, a_walk, world):
    client = as_user("municipality_coordinator")
    url = reverse("walks:finding-add", args=[a_walk.pk])
    response = client.post(url, {"finding-kind": "litter", "finding-owner":
                                 world.orgs["municipality"].pk, "finding-lat": "59.0002",
                                 "finding-lon": "16.8960"})
    assert response.status_code == 302
    assert a_walk.findings.count() == 3
    response = client.post(url, {"finding-kind": "litter", "finding-owner":
                                 world.orgs["municipality"].pk})
    assert response.status_code == 422
    assert 'href="#id_finding-lon"' in response.content.decode()
    assert a_walk.findings.count() == 3


def test_tasks_show_my_organisations_open_findings(as_user, a_walk, world):
    html = as_user("housing_reporter").get(reverse("walks:tasks")).content.decode()
    assert "My organisation&#x27;s tasks" in html or "My organisation's tasks" in html
    assert "Broken light" in html and "Graffiti" not in html
    assert 'value="in_progress"' in html  # the owner may start it
    html = as_user("housing_reporter").get(reverse("walks:tasks") + "?organisation=all") \
        .content.decode()
    assert "Graffiti" in html
    html = as_user("police_reporter").get(
        reverse("walks:tasks") + f"?organisation={world.orgs['housing'].pk}").content.decode()
    assert "Broken light" in html and 'value="in_progress"' not in html


def test_mark_done_from_tasks_returns_to_tasks(as_user, a_walk, world):
    f = a_walk.findings.get(kind="broken_light")
    client = as_user("housing_reporter")
    response = client.post(reverse("walks:finding-status", args=[f.pk]),
                           {"status": "done", "next": reverse("walks:tasks") + "?sort=-due"})
    assert response.status_code == 302
    assert response["Location"] == reverse("walks:tasks") + "?sort=-due"
    f.refresh_from_db()
    assert f.status == "done"
    html = client.get(reverse("walks:tasks")).content.decode()
    assert "Broken light: done." in html  # the message
    assert "No open findings" in html
    # an outside "next" is ignored
    response = client.post(reverse("walks:finding-status", args=[f.pk]),
                           {"status": "in_progress", "next": "https://evil.example/"})
    assert response["Location"].startswith(reverse("walks:detail", args=[a_walk.pk]))


def test_status_post_by_other_organisation_is_403(as_user, a_walk):
    f = a_walk.findings.get(kind="broken_light")
    response = as_user("police_reporter").post(reverse("walks:finding-status", args=[f.pk]),
                                               {"status": "done"})
    assert response.status_code == 403
    f.refresh_from_db()
    assert f.status == "open"


# --- GeoJSON for the main map --------------------------------------------------------------

def test_geojson_needs_a_member(client, as_user, a_walk):
    url = reverse("walks:findings-geojson")
    response = client.get(url)
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"
    assert as_user("outsider").get(url).status_code == 403


def test_geojson_has_only_open_findings_of_the_city(as_user, a_walk, world):
    coordinator = world.viewer("municipality_coordinator")
    done = a_walk.findings.get(kind="graffiti")
    services.set_finding_status(coordinator, done.pk, "done")
    started = services.add_finding(coordinator, a_walk.pk, FindingInput(
        kind="needles", lon=16.896, lat=59.0, owner_id=world.orgs["social"].pk))
    services.set_finding_status(coordinator, started.pk, "in_progress")
    rejected = services.add_finding(coordinator, a_walk.pk, FindingInput(
        kind="litter", lon=16.896, lat=59.0, owner_id=world.orgs["social"].pk))
    services.set_finding_status(coordinator, rejected.pk, "rejected")
    # another city's open finding
    other = factories.make_city("otherby")
    org = Organisation.objects.create(city=other, slug="m", name="M", kind="municipality")
    from drugscene.accounts.access import viewer_for

    other_coord = viewer_for(factories.make_user("other_coord", org, "coordinator"))
    services.create_walk(other_coord, other, WalkInput(date=date(2026, 3, 3)), [FindingInput(
        kind="graffiti", lon=16.9, lat=59.0, owner_id=org.pk)])

    response = as_user("police_viewer").get(reverse("walks:findings-geojson"))
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection" and data["city"] == "testby"
    kinds = sorted(f["properties"]["kind"] for f in data["features"])
    assert kinds == ["broken_light", "needles"]
    feature = next(f for f in data["features"] if f["properties"]["kind"] == "broken_light")
    assert feature["geometry"] == {"type": "Point", "coordinates": [16.894, 59.0005]}
    assert feature["properties"]["owner"] == "Housing"
    assert feature["properties"]["due"] == "2026-04-01"
    assert feature["properties"]["url"].startswith(reverse("walks:detail", args=[a_walk.pk]))
    assert response["Cache-Control"] == "private, no-store"

"""Who sees which request: keyless callers, partners with a key, partners of other
organisations and cities; generalisation for the public; status and list filters."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import h3
import pytest
from django.utils import timezone

from drugscene.accounts.models import Organisation
from drugscene.accounts.tokens import create_token
from drugscene.places.models import Place
from drugscene.reports.models import Report
from drugscene.reports.services import review_report
from tests import factories
from tests.open311.conftest import BASE, INSIDE, make_report, xml_items


def metres(lon1, lat1, lon2, lat2) -> float:
    """Equirectangular distance, good to a few per mille at city scale."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


@pytest.fixture
def matrix(world, public_cats, anon):
    """One report per visibility case, named by letter."""
    police = world.orgs["police"]
    r = {
        "a_public": make_report(world, visibility="public", text="Tags by the kiosk"),
        "b_partners": make_report(world, visibility="partners"),
        "c_police_only": make_report(world, visibility="restricted",
                                     restricted_to=[police.pk]),
        "d_public_drugs": make_report(world, category="open_sale", visibility="public",
                                      text="Sale behind the school", lon=16.8923,
                                      lat=59.0041),
        "e_not_public_category": make_report(world, category="vandalism",
                                             visibility="public"),
        "f_unreviewed": make_report(world, visibility="public", confirm=False),
        "g_not_a_service": make_report(world, category="shooting", visibility="public"),
    }
    resp = anon.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE})
    assert resp.status_code == 201
    r["h_keyless_tip"] = Report.objects.get(channel="open311")
    return r


def ids(anon, params=None, fmt="json") -> set[int]:
    resp = anon.get(BASE + f"requests.{fmt}", params or {})
    assert resp.status_code == 200, resp.content
    if fmt == "xml":
        return {int(i["service_request_id"])
                for i in xml_items(resp, "service_requests", "request")}
    return {i["service_request_id"] for i in resp.json()}


def named(matrix, *letters) -> set[int]:
    return {r.pk for name, r in matrix.items() if name[0] in letters}


def test_visibility_matrix(world, matrix, anon, key_of) -> None:
    keyless = named(matrix, "a", "d")
    assert ids(anon) == keyless
    assert ids(anon, fmt="xml") == keyless
    assert ids(anon, {"api_key": key_of("police_viewer")}) == named(
        matrix, "a", "b", "c", "d", "e", "f", "h")
    assert ids(anon, {"api_key": key_of("housing_reporter")}) == named(
        matrix, "a", "b", "d", "e", "f", "h")


def test_the_partner_set_is_what_the_one_visibility_rule_gives(world, matrix, anon,
                                                               key_of) -> None:
    from drugscene.reports.selectors import visible_reports

    for name in ("police_viewer", "housing_coordinator", "social_reporter"):
        expected = set(visible_reports(world.viewer(name), city_id=world.city.pk)
                       .filter(category__tip_allowed=True).values_list("pk", flat=True))
        assert ids(anon, {"api_key": key_of(name)}) == expected


def test_key_of_a_member_of_another_city_reads_as_the_public(world, matrix, anon) -> None:
    other = factories.make_city("annanstad")
    org = Organisation.objects.create(city=other, slug="polis", name="Polis", kind="police")
    raw = create_token(factories.make_user("annan", org, "coordinator"))[1]
    assert ids(anon, {"api_key": raw, "jurisdiction_id": "testby"}) == named(matrix, "a", "d")


def test_single_request_follows_the_same_rule(world, matrix, anon, key_of) -> None:
    housing = key_of("housing_reporter")
    police = key_of("police_reporter")
    c = matrix["c_police_only"].pk
    assert anon.get(BASE + f"requests/{c}.json", {"api_key": police}).status_code == 200
    assert anon.get(BASE + f"requests/{c}.json", {"api_key": housing}).status_code == 404
    for name in ("b_partners", "c_police_only", "e_not_public_category", "f_unreviewed",
                 "g_not_a_service", "h_keyless_tip"):
        assert anon.get(BASE + f"requests/{matrix[name].pk}.json").status_code == 404, name
    assert anon.get(BASE + f"requests/{matrix['a_public'].pk}.xml").status_code == 200
    # a hidden report is not found even when asked for by id in the list
    assert ids(anon, {"service_request_id": f"{c},{matrix['a_public'].pk}"}) == named(
        matrix, "a")


def test_public_answers_are_generalised(world, matrix, anon, key_of) -> None:
    d = matrix["d_public_drugs"]
    public = anon.get(BASE + f"requests/{d.pk}.json").json()[0]
    partner = anon.get(BASE + f"requests/{d.pk}.json",
                       {"api_key": key_of("police_viewer")}).json()[0]
    assert (partner["lat"], partner["long"]) == (59.0041, 16.8923)
    assert partner["description"] == "Sale behind the school"
    # the centre of the resolution-9 parent of the stored resolution-12 cell, via h3 itself
    parent = h3.cell_to_parent(h3.latlng_to_cell(59.0041, 16.8923, 12), 9)
    lat, lon = h3.cell_to_latlng(parent)
    assert public["lat"] == pytest.approx(lat, abs=1e-6)
    assert public["long"] == pytest.approx(lon, abs=1e-6)
    moved = metres(16.8923, 59.0041, public["long"], public["lat"])
    assert 0 < moved < 400
    assert public["description"] is None
    assert public["address"] == "Väster"  # the district, never the place
    for name in ("requested_datetime", "updated_datetime"):
        t = datetime.fromisoformat(public[name])
        assert (t.minute, t.second) == (0, 0)
    a = anon.get(BASE + f"requests/{matrix['a_public'].pk}.xml").content.decode()
    assert "Tags by the kiosk" not in a


def test_nearby_public_reports_share_one_point(world, public_cats, anon) -> None:
    one = make_report(world, visibility="public", lon=16.9112, lat=59.0003)
    two = make_report(world, visibility="public", lon=16.9113, lat=59.0004)
    same_cell = (h3.cell_to_parent(h3.int_to_str(one.h3_cell), 9)
                 == h3.cell_to_parent(h3.int_to_str(two.h3_cell), 9))
    assert same_cell
    points = {(i["lat"], i["long"]) for i in anon.get(BASE + "requests.json").json()}
    assert len(points) == 1


def test_status_open_closed(world, public_cats, anon, key_of) -> None:
    coordinator = world.viewer("municipality_coordinator")
    open_one = make_report(world, visibility="public")
    rejected = make_report(world, confirm=False)
    review_report(coordinator, rejected.pk, "rejected")
    dup = make_report(world, confirm=False)
    review_report(coordinator, dup.pk, "duplicate", duplicate_of=open_one.pk)
    place = Place.objects.create(city=world.city, slug="parken", name="Parken",
                                 place_type="park", lon=16.91, lat=59.0,
                                 owner_kind="municipal", status="resolved")
    at_resolved = make_report(world, visibility="public", place_id=place.pk)
    new_one = make_report(world, confirm=False)
    key = {"api_key": key_of("municipality_coordinator")}
    got = {i["service_request_id"]: i for i in anon.get(BASE + "requests.json", key).json()}
    assert got[open_one.pk]["status"] == "open"
    assert got[new_one.pk]["status"] == "open"
    assert got[rejected.pk]["status"] == "closed"
    assert got[dup.pk]["status"] == "closed"
    assert str(open_one.pk) in got[dup.pk]["status_notes"]
    assert got[at_resolved.pk]["status"] == "closed"
    assert got[at_resolved.pk]["address"] == "Parken"
    assert ids(anon, {**key, "status": "open"}) == {open_one.pk, new_one.pk}
    assert ids(anon, {**key, "status": "closed"}) == {rejected.pk, dup.pk, at_resolved.pk}
    assert ids(anon, {**key, "status": "open,closed"}) == set(got)
    # the public sees confirmed reports only: the open one and the one at the resolved place
    public = {i["service_request_id"]: i["status"] for i in anon.get(BASE + "requests.json")
              .json()}
    assert public == {open_one.pk: "open", at_resolved.pk: "closed"}


def test_service_code_and_id_filters(world, public_cats, anon, key_of) -> None:
    g = make_report(world, visibility="public")
    s = make_report(world, category="open_sale", visibility="public")
    v = make_report(world, category="vandalism")
    key = {"api_key": key_of("police_reporter")}
    assert ids(anon, {**key, "service_code": "graffiti"}) == {g.pk}
    assert ids(anon, {**key, "service_code": "graffiti,vandalism"}) == {g.pk, v.pk}
    # service_request_id overrides every other parameter (GeoReport v2)
    assert ids(anon, {**key, "service_request_id": f"{g.pk},{s.pk}",
                      "service_code": "vandalism", "status": "closed"}) == {g.pk, s.pk}


def test_default_window_is_90_days_and_dates_filter(world, public_cats, anon, key_of) -> None:
    recent = make_report(world)
    old = make_report(world)
    Report.objects.filter(pk=old.pk).update(reported_at=timezone.now() - timedelta(days=100))
    key = {"api_key": key_of("police_reporter")}
    assert ids(anon, key) == {recent.pk}
    start = (timezone.now() - timedelta(days=120)).isoformat()
    assert ids(anon, {**key, "start_date": start}) == {recent.pk, old.pk}
    end = (timezone.now() - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(anon, {**key, "start_date": start, "end_date": end}) == {old.pk}
    assert ids(anon, {**key, "end_date": end}) == {old.pk}


def test_at_most_1000_requests_newest_first(world, anon, key_of) -> None:
    first = make_report(world, confirm=False)
    rows = []
    now = timezone.now()
    for i in range(1000):
        copy = Report.objects.get(pk=first.pk)
        copy.pk = None
        copy.reported_at = now - timedelta(seconds=i + 1)
        rows.append(copy)
    Report.objects.bulk_create(rows)
    Report.objects.filter(pk=first.pk).update(reported_at=now - timedelta(days=1))
    got = anon.get(BASE + "requests.json", {"api_key": key_of("police_reporter")}).json()
    assert len(got) == 1000
    assert first.pk not in {i["service_request_id"] for i in got}
    stamps = [i["requested_datetime"] for i in got]
    assert stamps == sorted(stamps, reverse=True)

"""OGC API – Features Part 1 Core, tested endpoint by endpoint against the standard's
requirements (links, media types, limit, bbox, datetime, paging, 404s) and visibility."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from drugscene.reports.models import Report
from tests.web.conftest import assert_csp_clean

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
OAS30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
REPORTS = "/ogc/collections/testby-reports/items"


def call(url: str, token: str | None = None, client: Client | None = None, **headers):
    c = client or Client()
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return c.get(url, **headers)


def body(response) -> dict:
    return json.loads(response.content)


def rels(doc: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for link in doc["links"]:
        out.setdefault(link["rel"], []).append(link)
    return out


def walk(url: str, token: str | None = None) -> tuple[list[dict], list[dict]]:
    """Follow ``next`` links from ``url``; returns (every feature, every page)."""
    features, pages = [], []
    while url:
        r = call(url, token)
        assert r.status_code == 200, r.content
        assert r["Content-Type"] == "application/geo+json"
        page = body(r)
        pages.append(page)
        features += page["features"]
        nxt = rels(page).get("next", [])
        assert len(nxt) <= 1
        url = None
        if nxt:
            parts = urlsplit(nxt[0]["href"])
            url = f"{parts.path}?{parts.query}"
    return features, pages


def ids_of(features: list[dict]) -> list[int]:
    return [f["id"] for f in features]


# --- landing page, conformance, API definition ---------------------------------------------

def test_landing_page_links_to_api_conformance_and_data(scene) -> None:
    r = call("/ogc/")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    links = rels(body(r))
    for rel in ("self", "service-desc", "conformance", "data"):
        assert rel in links, rel
    assert links["service-desc"][0]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    for rel in ("service-desc", "conformance", "data"):
        assert call(urlsplit(links[rel][0]["href"]).path).status_code == 200


def test_conformance_declares_only_what_is_implemented(scene) -> None:
    doc = body(call("/ogc/conformance"))
    assert set(doc["conformsTo"]) == {
        CORE, GEOJSON, OAS30,
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text"}


def test_openapi_document_describes_the_items_operation(scene) -> None:
    r = call("/ogc/api", scene.token("police_analyst"))
    assert r["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    doc = body(r)
    assert doc["openapi"].startswith("3.0")
    assert {"/", "/conformance", "/collections", "/collections/{collectionId}",
            "/collections/{collectionId}/items",
            "/collections/{collectionId}/items/{featureId}"} <= set(doc["paths"])
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 10_000, 100)
    ids = doc["components"]["parameters"]["collectionId"]["schema"]["enum"]
    assert set(ids) == {"testby-reports", "testby-places", "testby-actions", "testby-hotspots"}
    # every $ref points to something that exists
    text = json.dumps(doc)
    for ref in {p.split('"')[0] for p in text.split('"$ref": "')[1:]}:
        node = doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]


# --- collections ----------------------------------------------------------------------------

def test_collections_per_viewer(scene) -> None:
    keyless = body(call("/ogc/collections"))
    assert {c["id"] for c in keyless["collections"]} == {"testby-reports", "testby-hotspots"}
    partner = body(call("/ogc/collections", scene.token("housing_viewer")))
    assert {c["id"] for c in partner["collections"]} == {
        "testby-reports", "testby-places", "testby-actions", "testby-hotspots"}
    for c in partner["collections"]:
        assert c["extent"]["spatial"]["bbox"] == [[16.88, 58.99, 16.92, 59.01]]
        items = [x for x in c["links"] if x["rel"] == "items"
                 and x["type"] == "application/geo+json"]
        assert len(items) == 1 and items[0]["href"].endswith(f"/collections/{c['id']}/items")
        one = call(f"/ogc/collections/{c['id']}", scene.token("housing_viewer"))
        assert one.status_code == 200 and body(one)["id"] == c["id"]


def test_unknown_or_hidden_collections_are_404(scene) -> None:
    assert call("/ogc/collections/nowhere-reports").status_code == 404
    assert call("/ogc/collections/testby-nothing").status_code == 404
    # places and actions are for partners only
    r = call("/ogc/collections/testby-places/items")
    assert r.status_code == 404 and body(r)["code"] == "not_found"
    # a user of another city does not see this one
    from tests import factories

    factories.make_city("annanstad")
    assert call("/ogc/collections/annanstad-places/items",
                scene.token("police_analyst")).status_code == 404


def test_bad_token_is_401_not_keyless(scene) -> None:
    r = call("/ogc/collections", "ds_not-a-token")
    assert r.status_code == 401 and "Bearer" in r["WWW-Authenticate"]


def test_session_login_gives_the_users_visibility(scene, client) -> None:
    client.force_login(scene.world.users["police_analyst"])
    r = client.get(f"{REPORTS}?limit=1000")
    assert set(ids_of(body(r)["features"])) == scene.ids(
        "public", "public_closed", "partners", "police_only")


# --- items: limit, paging, bbox, datetime -----------------------------------------------------

def test_items_default_limit_and_maximum(scene) -> None:
    from tests import factories

    for _ in range(105):
        factories.report(scene.world)
    token = scene.token("police_analyst")
    page = body(call(REPORTS, token))
    assert page["numberReturned"] == 100 == len(page["features"])
    total = Report.objects.count() - len(scene.groups["housing_only"])
    assert page["numberMatched"] == total
    big = body(call(f"{REPORTS}?limit=50000", token))  # above the maximum: not an error
    assert big["numberReturned"] == total and "next" not in rels(big)
    stamp = datetime.fromisoformat(page["timeStamp"].replace("Z", "+00:00"))
    assert abs((stamp - datetime.now(UTC)).total_seconds()) < 600


@pytest.mark.parametrize("limit", ["0", "-3", "ten", "1.5"])
def test_bad_limit_is_400(scene, limit) -> None:
    r = call(f"{REPORTS}?limit={limit}")
    assert r.status_code == 400 and body(r)["code"] == "invalid_parameter"


@pytest.mark.parametrize("user", [None, "police_analyst", "housing_analyst"])
def test_following_next_links_yields_every_feature_once(scene, user) -> None:
    token = scene.token(user) if user else None
    features, pages = walk(f"{REPORTS}?limit=3", token)
    ids = ids_of(features)
    assert len(ids) == len(set(ids))
    expected = {None: scene.ids("public"),
                "police_analyst": scene.ids("public", "public_closed", "partners",
                                            "police_only"),
                "housing_analyst": scene.ids("public", "public_closed", "partners",
                                             "housing_only")}[user]
    assert set(ids) == expected
    assert all(p["numberMatched"] == len(expected) for p in pages)
    assert [p["numberReturned"] for p in pages] == [len(p["features"]) for p in pages]
    assert all(p["numberReturned"] == 3 for p in pages[:-1])


def _in(lon, lat, bbox):
    w, s, e, n = bbox
    return w <= lon <= e and s <= lat <= n


BOXES = [(16.885, 58.992, 16.905, 59.004), (16.9, 58.99, 16.92, 59.0),
         (16.0, 58.0, 16.5, 58.5)]


@pytest.mark.parametrize("bbox", BOXES)
def test_bbox_equals_an_independent_filter(scene, bbox) -> None:
    token = scene.token("police_analyst")
    q = ",".join(str(v) for v in bbox)
    features, _ = walk(f"{REPORTS}?bbox={q}&limit=4", token)
    visible = scene.ids("public", "public_closed", "partners", "police_only")
    expected = {r.pk for r in Report.objects.filter(pk__in=visible)
                if _in(r.lon, r.lat, bbox)}
    assert set(ids_of(features)) == expected
    for f in features:
        assert _in(*f["geometry"]["coordinates"], bbox)


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "16.9,59.1,16.95,59.0", "0,0,200,1",
                                  "1,2,3,4,5", "nan,1,2,3"])
def test_bad_bbox_is_400(scene, bbox) -> None:
    assert call(f"{REPORTS}?bbox={bbox}").status_code == 400


def test_unknown_parameter_and_other_bbox_crs_are_400(scene) -> None:
    assert call(f"{REPORTS}?colour=red").status_code == 400
    crs = "http://www.opengis.net/def/crs/EPSG/0/3006"
    assert call(f"{REPORTS}?bbox=1,2,3,4&bbox-crs={crs}").status_code == 400


def _meets(r: Report, start, end) -> bool:
    last = r.occurred_to or r.occurred_from
    return (end is None or r.occurred_from <= end) and (start is None or last >= start)


def test_datetime_instant_interval_and_open_ends(scene) -> None:
    token = scene.token("police_analyst")
    visible = list(Report.objects.filter(pk__in=scene.ids("public", "public_closed",
                                                          "partners", "police_only")))
    now = datetime.now(UTC).replace(microsecond=0)
    a, b = now - timedelta(days=25), now - timedelta(days=10)
    z = lambda t: t.isoformat().replace("+00:00", "Z")  # noqa: E731
    one = visible[0]
    cases = {
        f"{z(a)}/{z(b)}": (a, b),
        f"../{z(b)}": (None, b),
        f"{z(a)}/..": (a, None),
        f"{z(a)}/": (a, None),
        z(one.occurred_from): (one.occurred_from, one.occurred_from),
    }
    for param, (start, end) in cases.items():
        features, _ = walk(f"{REPORTS}?datetime={param.replace('+', '%2B')}&limit=7", token)
        expected = {r.pk for r in visible if _meets(r, start, end)}
        assert set(ids_of(features)) == expected, param
    assert one.pk in ids_of(walk(f"{REPORTS}?datetime={z(one.occurred_from)}", token)[0])


def test_datetime_date_means_the_whole_day_in_the_city(scene) -> None:
    token = scene.token("police_analyst")
    visible = list(Report.objects.filter(pk__in=scene.ids("public", "public_closed",
                                                          "partners", "police_only")))
    tz = ZoneInfo("Europe/Stockholm")
    day = visible[3].occurred_from.astimezone(tz).date()
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = start + timedelta(days=1) - timedelta(microseconds=1)
    features, _ = walk(f"{REPORTS}?datetime={day.isoformat()}", token)
    assert set(ids_of(features)) == {r.pk for r in visible if _meets(r, start, end)}
    assert visible[3].pk in ids_of(features)


@pytest.mark.parametrize("value", ["yesterday", "2025-01-01T10:00:00", "../..",
                                   "2025-02-01/2025-01-01", "2025-01-01/2025-02-01/2025-03-01"])
def test_bad_datetime_is_400(scene, value) -> None:
    assert call(f"{REPORTS}?datetime={value}").status_code == 400


# --- single features ------------------------------------------------------------------------

def test_single_feature_and_404s(scene) -> None:
    police, housing = scene.token("police_analyst"), scene.token("housing_analyst")
    secret = scene.groups["police_only"][0]
    r = call(f"{REPORTS}/{secret.pk}", police)
    assert r.status_code == 200 and r["Content-Type"] == "application/geo+json"
    f = body(r)
    assert f["type"] == "Feature" and f["id"] == secret.pk
    assert f["geometry"]["coordinates"] == [secret.lon, secret.lat]
    assert {"self", "collection"} <= set(rels(f))
    # the same id is 404 for someone who may not see it, and for keyless callers
    assert call(f"{REPORTS}/{secret.pk}", housing).status_code == 404
    assert call(f"{REPORTS}/{secret.pk}").status_code == 404
    assert call(f"{REPORTS}/999999", police).status_code == 404
    assert call(f"{REPORTS}/abc", police).status_code == 404


def test_no_person_in_any_feature(scene) -> None:
    token = scene.token("police_analyst")
    for kind in ("reports", "places", "actions"):
        features, _ = walk(f"/ogc/collections/testby-{kind}/items", token)
        assert features
        for f in features:
            keys = set(f["properties"])
            assert not keys & {"reporter", "created_by", "reviewed_by", "username", "user"}
            assert "police_reporter" not in json.dumps(f)
            assert "municipality_coordinator" not in json.dumps(f)


# --- keyless callers: public reports, generalised -------------------------------------------

def test_keyless_reports_are_generalised(scene) -> None:
    features, _ = walk(f"{REPORTS}?limit=1000")
    assert set(ids_of(features)) == scene.ids("public")
    tz = ZoneInfo("Europe/Stockholm")
    by_id = {r.pk: r for r in scene.groups["public"]}
    for f in features:
        r = by_id[f["id"]]
        lon, lat = f["geometry"]["coordinates"]
        # the centre of the 0.004 x 0.002 degree cell holding the true point
        assert lon == pytest.approx((math.floor(r.lon / 0.004) + 0.5) * 0.004, abs=1e-6)
        assert lat == pytest.approx((math.floor(r.lat / 0.002) + 0.5) * 0.002, abs=1e-6)
        p = f["properties"]
        start = datetime.fromisoformat(p["occurred_from"])
        day = r.occurred_from.astimezone(tz).date()
        assert start == datetime(day.year, day.month, day.day, tzinfo=tz)
        assert datetime.fromisoformat(p["occurred_to"]) == start + timedelta(days=1)
        assert p["text"] == "" and p["source"] is None and p["reported_at"] is None
        assert p["persons"] is None and p["place"] is None


@pytest.mark.parametrize("bbox", BOXES[:2])
def test_keyless_bbox_acts_on_the_generalised_points(scene, bbox) -> None:
    q = ",".join(str(v) for v in bbox)
    features, _ = walk(f"{REPORTS}?bbox={q}")
    expected = {r.pk for r in scene.groups["public"]
                if _in((math.floor(r.lon / 0.004) + 0.5) * 0.004,
                       (math.floor(r.lat / 0.002) + 0.5) * 0.002, bbox)}
    assert set(ids_of(features)) == expected


def test_keyless_datetime_acts_on_whole_days(scene) -> None:
    tz = ZoneInfo("Europe/Stockholm")
    r = scene.groups["public"][2]
    # an instant a second after the true time still finds it: the time is only a day
    later = (r.occurred_from + timedelta(seconds=1)).astimezone(UTC)
    moment = later.isoformat().replace("+00:00", "Z")
    found = ids_of(walk(f"{REPORTS}?datetime={moment}")[0])
    day = r.occurred_from.astimezone(tz).date()
    same_day = {x.pk for x in scene.groups["public"]
                if x.occurred_from.astimezone(tz).date() == day}
    assert set(found) == same_day and r.pk in found


# --- places, actions, hot spots -------------------------------------------------------------

def test_places_and_actions(scene) -> None:
    token = scene.token("housing_viewer")
    places, _ = walk("/ogc/collections/testby-places/items", token)
    assert ids_of(places) == [scene.world.place.pk]
    assert places[0]["properties"]["name"] == "Torget"
    actions, _ = walk("/ogc/collections/testby-actions/items", token)
    assert set(ids_of(actions)) == {a.pk for a in scene.actions}
    district_wide = next(f for f in actions if f["properties"]["title"] == "Clean-up east")
    lon, lat = district_wide["geometry"]["coordinates"]
    assert 16.90 <= lon <= 16.92 and 58.99 <= lat <= 59.01  # inside the east district
    # the lighting action ended ten days ago: not in the last week, in the last month
    week = (datetime.now(UTC) - timedelta(days=7)).isoformat().replace("+00:00", "Z")
    recent, _ = walk(f"/ogc/collections/testby-actions/items?datetime={week}/..", token)
    assert {f["properties"]["title"] for f in recent} == {"Clean-up east"}


def test_hotspots_count_what_the_caller_may_see(scene) -> None:
    from tests import factories

    # a tight cluster seen only by the police
    police = scene.world.orgs["police"].pk
    for i in range(12):
        factories.report(scene.world, lon=16.9101 + i * 1e-5, lat=59.0051,
                         visibility="restricted", restricted_to=[police],
                         category="open_sale")
    now = datetime.now(UTC)
    for user, hidden in (("police_analyst", "housing_only"), ("housing_analyst",
                                                              "police_only")):
        features, _ = walk("/ogc/collections/testby-hotspots/items?limit=7",
                           scene.token(user))
        total = sum(f["properties"]["count"] for f in features)
        visible = Report.objects.filter(category__drug_related=True,
                                        occurred_from__gte=now - timedelta(weeks=4))
        visible = [r for r in visible if r.pk not in scene.ids(hidden)]
        if user == "housing_analyst":
            visible = [r for r in visible if r.visibility != "restricted"
                       or r.source_id == scene.world.orgs["housing"].pk]
        assert total == len(visible), user
        for f in features:
            assert f["geometry"]["type"] == "Polygon"
            assert f["properties"]["bin"] in range(-3, 4)
    keyless, _ = walk("/ogc/collections/testby-hotspots/items")
    cutoff = now - timedelta(weeks=4)
    assert sum(f["properties"]["count"] for f in keyless) == sum(
        1 for r in scene.groups["public"] if r.occurred_from >= cutoff)


# --- HTML -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/ogc/", "/ogc/conformance", "/ogc/collections",
                                 "/ogc/collections/testby-reports", REPORTS])
def test_html_pages(scene, url) -> None:
    r = call(url, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert_csp_clean(r.content.decode())
    assert call(f"{url}?f=json")["Content-Type"].startswith("application/")


def test_times_are_given_to_the_millisecond(scene) -> None:
    """GDAL reads a fraction of a second as a float: .9999996 s would round to 1000 ms."""
    from tests import factories

    moment = datetime.now(UTC).replace(microsecond=999_999) - timedelta(hours=2)
    r = factories.report(scene.world, occurred_from=moment)
    f = body(call(f"{REPORTS}/{r.pk}", scene.token("police_analyst")))
    assert f["properties"]["occurred_from"] == moment.isoformat(timespec="milliseconds")
    assert f["properties"]["occurred_from"].endswith(".999+00:00")

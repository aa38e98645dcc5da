"""The REST API through the HTTP client: create, list, filter, errors, tips, tokens."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from drugscene.accounts.tokens import create_token, revoke_token
from drugscene.audit.models import AuditEntry
from drugscene.reports.models import Report
from tests import factories


def luhn_digit(nine: str) -> str:
    """Independent Luhn check digit for the test (Swedish personal numbers)."""
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


@pytest.fixture
def police(world):
    _, raw = create_token(world.users["police_reporter"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def coordinator(world):
    _, raw = create_token(world.users["municipality_coordinator"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, body) -> object:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json")


def valid_body(**kw) -> dict:
    body = {"category": "open_sale", "lon": 16.895, "lat": 59.0,
            "occurred_from": (timezone.now() - timedelta(hours=2)).isoformat(),
            "persons": 3, "age_15_17": 2, "age_18_25": 1, "gender_male": 3,
            "setting": "outdoor", "text": "Tre personer säljer vid busshållplatsen."}
    body.update(kw)
    return body


def test_create_and_read_back(world, police) -> None:
    r = post(police, "/api/v1/reports", valid_body())
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["category"] == "open_sale"
    assert out["source"] == "police"
    assert out["district"] == "west"
    assert out["ages"]["15_17"] == 2
    got = police.get(f"/api/v1/reports/{out['id']}").json()
    assert got["text"] == "Tre personer säljer vid busshållplatsen."
    entry = AuditEntry.objects.get(object_type="reports.report", object_id=str(out["id"]))
    assert entry.user == world.users["police_reporter"]
    assert entry.organisation == world.orgs["police"]
    assert entry.channel == "api"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (valid_body(lon=200.0), "lon"),
        (valid_body(lat=-95.0), "lon"),
        (valid_body(lon=10.0, lat=50.0), "lon"),
        (valid_body(category="no_such_thing"), "category"),
        (valid_body(occurred_from=(timezone.now() + timedelta(days=1)).isoformat()),
         "occurred_from"),
        (valid_body(occurred_from="2026-01-01T10:00:00"), "occurred_from"),
        (valid_body(occurred_to=(timezone.now() - timedelta(days=3)).isoformat()), "occurred_to"),
        (valid_body(persons=1, age_15_17=4), "persons"),
        (valid_body(visibility="restricted"), "restricted_to"),
        (valid_body(restricted_to=["nonexistent"], visibility="restricted"), "restricted_to"),
        (valid_body(setting="sideways"), "setting"),
        (valid_body(lat="north"), "lat"),
        ({"lon": 16.9, "lat": 59.0}, "category"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(world, police, body, field) -> None:
    before = Report.objects.count()
    r = post(police, "/api/v1/reports", body)
    assert 400 <= r.status_code < 500
    err = r.json()
    assert field in err["fields"], err
    assert err["detail"]
    assert Report.objects.count() == before
    assert not AuditEntry.objects.filter(object_type="reports.report").exists()


def test_malformed_json_is_a_clear_4xx(world, police) -> None:
    r = post(police, "/api/v1/reports", '{"category": "open_sale", "lon": ')
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "malformed_json"
    assert "column" in body["detail"] and "body" in body["fields"]
    assert Report.objects.count() == 0


def test_viewer_role_cannot_create(world) -> None:
    _, raw = create_token(world.users["police_viewer"])
    r = post(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), "/api/v1/reports", valid_body())
    assert r.status_code == 403
    assert Report.objects.count() == 0


def test_revoked_token_is_refused(world) -> None:
    token, raw = create_token(world.users["police_reporter"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/categories").status_code == 200
    revoke_token(token)
    assert client.get("/api/v1/categories").status_code == 401
    assert token.digest != raw and raw not in token.digest


def test_filters_and_pagination(world, police) -> None:
    now = timezone.now()
    for i in range(5):
        factories.report(world, occurred_from=now - timedelta(days=i, hours=1))
    factories.report(world, category="graffiti", lon=16.915, lat=59.005,
                     occurred_from=now - timedelta(days=1))
    body = police.get("/api/v1/reports?page_size=2").json()
    assert body["count"] == 6 and len(body["results"]) == 2 and body["next"]
    page2 = police.get(body["next"]).json()
    assert {r["id"] for r in page2["results"]}.isdisjoint({r["id"] for r in body["results"]})
    assert police.get("/api/v1/reports?category=graffiti").json()["count"] == 1
    assert police.get("/api/v1/reports?category=disorder").json()["count"] == 1
    assert police.get("/api/v1/reports?district=east").json()["count"] == 1
    assert police.get("/api/v1/reports?bbox=16.88,58.99,16.90,59.01").json()["count"] == 5
    since = (now - timedelta(days=2)).isoformat()
    assert police.get("/api/v1/reports", {"from": since}).json()["count"] == 3
    assert police.get("/api/v1/reports?source=police").json()["count"] == 6
    geo = police.get("/api/v1/reports?format=geojson&category=graffiti").json()
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0]["geometry"]["coordinates"] == [16.915, 59.005]


@pytest.mark.parametrize(
    ("query", "field"),
    [("bbox=1,2,3", "bbox"), ("bbox=10,60,5,50", "bbox"), ("from=yesterday", "from"),
     ("category=nope", "category"), ("source=nope", "source"), ("page_size=0", "page_size"),
     ("review=maybe", "review"), ("from=2026-02-01&to=2026-01-01", "from"),
     ("format=kml", "format")],
)
def test_bad_filters_name_the_field(world, police, query, field) -> None:
    r = police.get(f"/api/v1/reports?{query}")
    assert r.status_code == 422
    assert field in r.json()["fields"]


def test_categories_have_slugs(world, police) -> None:
    cats = police.get("/api/v1/categories").json()
    slugs = {c["slug"] for c in cats}
    assert {"open_sale", "drug_litter", "overdose", "shooting"} <= slugs
    assert next(c for c in cats if c["slug"] == "open_sale")["parent"] == "drugs"


def test_districts_and_places(world, police) -> None:
    d = police.get("/api/v1/districts").json()
    assert {f["properties"]["police_class"] for f in d["features"]} == {"vulnerable", "none"}
    p = police.get("/api/v1/places?format=geojson").json()
    assert p["features"][0]["properties"]["name"] == "Torget"


def test_tip_scrubs_identifiers_and_coordinator_reads_it(world, coordinator) -> None:
    pnr9 = "811218987"
    pnr = f"{pnr9[:6]}-{pnr9[6:]}{luhn_digit(pnr9)}"
    bad = pnr9 + str((int(luhn_digit(pnr9)) + 1) % 10)
    text = f"Försäljning i trapphuset. Han heter {pnr}, mejla x.y@example.se. Ordernr {bad}."
    r = post(Client(), "/api/v1/tips", {
        "category": "open_sale", "lon": 16.91, "lat": 59.0,
        "occurred_at": (timezone.now() - timedelta(minutes=30)).isoformat(), "text": text})
    assert r.status_code == 201, r.content
    tip_id = r.json()["id"]
    stored = Report.objects.get(pk=tip_id)
    assert pnr not in stored.text and pnr.replace("-", "") not in stored.text
    assert "example.se" not in stored.text
    assert bad in stored.text
    assert stored.reporter is None and stored.channel == "tip"
    got = coordinator.get(f"/api/v1/reports/{tip_id}").json()
    assert got["review_status"] == "new"
    assert "email" in got["scrubbed"]


def test_tip_errors_name_the_tip_fields(world) -> None:
    future = (timezone.now() + timedelta(days=2)).isoformat()
    r = post(Client(), "/api/v1/tips", {"category": "open_sale", "lon": 16.91, "lat": 59.0,
                                        "occurred_at": future})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"occurred_at"}
    r = post(Client(), "/api/v1/tips", {"category": "open_sale", "lon": 200, "lat": 59.0})
    assert r.status_code == 422 and "lon" in r.json()["fields"]
    assert Report.objects.count() == 0


def test_tip_rejects_non_tip_category_and_needs_no_login(world) -> None:
    r = post(Client(), "/api/v1/tips", {"category": "shooting", "lon": 16.91, "lat": 59.0})
    assert r.status_code == 422 and "category" in r.json()["fields"]
    assert Report.objects.count() == 0


def test_tips_are_rate_limited(world, settings) -> None:
    settings.TIP_RATE_PER_HOUR = 3
    body = {"category": "littering", "lon": 16.91, "lat": 59.0}
    codes = [post(Client(REMOTE_ADDR="10.1.2.3"), "/api/v1/tips", body).status_code
             for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    assert post(Client(REMOTE_ADDR="10.9.9.9"), "/api/v1/tips", body).status_code == 201
    assert Report.objects.count() == 4


def test_review_via_api(world, coordinator, police) -> None:
    a = factories.report(world)
    b = factories.report(world)
    r = post(coordinator, f"/api/v1/reports/{b.pk}/review",
             {"status": "duplicate", "duplicate_of": a.pk})
    assert r.status_code == 200 and r.json()["duplicate_of"] == a.pk
    r = post(police, f"/api/v1/reports/{a.pk}/review", {"status": "confirmed"})
    assert r.status_code == 403


def test_openapi_describes_the_endpoints(client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for p in ("/api/v1/reports", "/api/v1/reports/{report_id}", "/api/v1/tips",
              "/api/v1/categories", "/api/v1/districts", "/api/v1/places"):
        assert p in paths, p
    assert "post" in paths["/api/v1/reports"]

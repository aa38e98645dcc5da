"""POST requests go through the tip and report services: scrubbing, the shared rate limit,
validation, the audit trail, and personal fields that are never stored."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from drugscene.accounts.models import OrganisationKind
from drugscene.audit.models import AuditEntry
from drugscene.open311.models import RequestToken
from drugscene.reports.models import Report
from tests.open311.conftest import BASE, INSIDE, personnummer, xml_items

PHONE = "070-123 45 67"
PERSONAL = {
    "email": "anna.svensson@example.se",
    "first_name": "Annabelle",
    "last_name": "Qwertyson",
    "phone": "+46 70 999 88 77",
    "device_id": "device-7f3a9c",
    "account_id": "acct-55120",
    "media_url": "https://photos.example.net/face.jpg",
    "address_string": "Hemgatan 4",
}


def everything_stored() -> str:
    """Every stored row of reports, tokens and the audit trail, as one text."""
    rows = [list(Report.objects.values()), list(RequestToken.objects.values()),
            list(AuditEntry.objects.values())]
    return json.dumps(rows, default=str, ensure_ascii=False)


def test_description_is_scrubbed_before_it_is_stored(world, anon) -> None:
    pnr = personnummer()
    text = f"Sprayar på skolan. Han heter {pnr}, ring {PHONE}."
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", "description": text,
                                           **INSIDE})
    assert r.status_code == 201
    report = Report.objects.get()
    assert report.text.startswith("Sprayar på skolan.")
    stored = everything_stored()
    for secret in (pnr, pnr.replace("-", ""), PHONE, PHONE.replace(" ", "")):
        assert secret not in stored
    assert set(report.scrubbed.split(",")) == {"se_personal_number", "phone"}


def test_personal_fields_are_dropped(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **PERSONAL, **INSIDE})
    assert r.status_code == 201
    stored = everything_stored()
    for value in PERSONAL.values():
        assert value not in stored
    for part in ("Annabelle", "Qwertyson", "999 88 77", "example.se", "Hemgatan"):
        assert part not in stored


def test_keyless_request_is_an_anonymous_tip_awaiting_review(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "open_use", **INSIDE})
    assert r.status_code == 201
    report = Report.objects.get()
    assert report.channel == "open311"
    assert report.reporter is None
    assert report.source.kind == OrganisationKind.CITIZEN_CHANNEL
    assert report.review_status == "new" and report.visibility == "partners"
    assert report.category.slug == "open_use"
    assert (report.lat, report.lon) == (59.0003, 16.9112)
    entry = AuditEntry.objects.get(object_type="reports.report", object_id=str(report.pk))
    assert entry.action == "create" and entry.channel == "open311" and entry.user_id is None
    assert AuditEntry.objects.filter(object_type="open311.requesttoken").count() == 1


def test_partner_request_is_a_report_of_the_partner(world, anon, key_of) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "drug_litter", "description":
                                           "Sprutor vid lekplatsen", "api_key":
                                           key_of("housing_reporter"), **INSIDE})
    assert r.status_code == 201
    report = Report.objects.get()
    assert r.json()[0]["service_request_id"] == report.pk
    assert report.source == world.orgs["housing"]
    assert report.reporter == world.users["housing_reporter"]
    assert report.channel == "open311" and report.review_status == "new"
    entry = AuditEntry.objects.get(object_type="reports.report", object_id=str(report.pk))
    assert entry.user_id == world.users["housing_reporter"].pk
    assert entry.organisation_id == world.orgs["housing"].pk


def test_partner_key_in_bearer_header_works_too(world, key_of) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key_of('police_reporter')}")
    r = client.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE})
    assert r.status_code == 201
    assert Report.objects.get().source == world.orgs["police"]


def test_occurred_at_attribute(world, anon) -> None:
    when = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE,
                                           "attribute[occurred_at]": when.isoformat()})
    assert r.status_code == 201
    assert Report.objects.get().occurred_from == when


def test_occurred_at_errors_name_the_attribute(world, anon) -> None:
    future = (timezone.now() + timedelta(days=1)).isoformat()
    for value in (future, "last tuesday"):
        r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE,
                                               "attribute[occurred_at]": value})
        assert r.status_code == 400, value
        assert r.json()[0]["description"].startswith("attribute[occurred_at]:")
    assert Report.objects.count() == 0


def test_too_long_description_is_400(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE,
                                           "description": "x" * 4001})
    assert r.status_code == 400 and r.json()[0]["description"].startswith("description:")


def test_keyless_requests_are_rate_limited_per_client(world, settings) -> None:
    settings.TIP_RATE_PER_HOUR = 3
    body = {"service_code": "graffiti", **INSIDE}
    codes = [Client(REMOTE_ADDR="10.1.2.3").post(BASE + "requests.json", body).status_code
             for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    r = Client(REMOTE_ADDR="10.1.2.3").post(BASE + "requests.xml", body)
    assert r.status_code == 429
    assert Client(REMOTE_ADDR="10.9.9.9").post(BASE + "requests.json", body).status_code == 201
    assert Report.objects.count() == 4


def test_rate_limit_is_shared_with_the_tip_api(world, settings) -> None:
    settings.TIP_RATE_PER_HOUR = 2
    client = Client(REMOTE_ADDR="10.4.4.4")
    tip = client.post("/api/v1/tips", json.dumps({"category": "graffiti", "lon": 16.91,
                                                  "lat": 59.0}),
                      content_type="application/json")
    assert tip.status_code == 201
    body = {"service_code": "graffiti", **INSIDE}
    assert client.post(BASE + "requests.json", body).status_code == 201
    r = client.post(BASE + "requests.json", body)
    assert r.status_code == 429 and r.json()[0]["code"] == 429


def test_partners_are_not_rate_limited(world, anon, key_of, settings) -> None:
    settings.TIP_RATE_PER_HOUR = 1
    key = key_of("police_reporter")
    codes = [anon.post(BASE + "requests.json", {"service_code": "graffiti", "api_key": key,
                                                **INSIDE}).status_code for _ in range(3)]
    assert codes == [201, 201, 201]


def test_tokens_are_stored_as_digests(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE})
    token = r.json()[0]["token"]
    assert token not in everything_stored()
    assert len(token) >= 20


def test_personal_fields_are_hidden_from_error_reports(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **PERSONAL, **INSIDE})
    hidden = set(r.wsgi_request.sensitive_post_parameters)
    assert {"api_key", "description", "email", "phone", "first_name", "last_name"} <= hidden


def test_null_character_is_400_and_control_characters_keep_xml_well_formed(world, anon,
                                                                             key_of) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE,
                                           "description": "a\x00b"})
    assert r.status_code == 400 and r.json()[0]["description"].startswith("description:")
    assert Report.objects.count() == 0
    key = key_of("police_reporter")
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", "api_key": key,
                                           **INSIDE, "description": "tab\there, bell\x07"})
    assert r.status_code == 201
    items = xml_items(anon.get(BASE + "requests.xml", {"api_key": key}), "service_requests",
                      "request")
    assert items[0]["description"] == "tab\there, bell"

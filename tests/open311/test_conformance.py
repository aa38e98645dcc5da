"""GeoReport v2 conformance, written from the specification (wiki.open311.org/GeoReport_v2):
element and field names, types, status codes, error arrays, dates, jurisdictions."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.test import Client

from drugscene.accounts.models import Organisation
from drugscene.accounts.tokens import revoke_token
from drugscene.reports.models import Category, Report
from tests import factories
from tests.open311.conftest import BASE, INSIDE, as_json, make_report, xml_items, xml_root

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type",
                  "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description",
                    "order", "description"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
# the default categories open to tips (reports/defaults.py, tip_allowed=True), by hand
TIP_CODES = {"open_sale", "open_use", "drug_litter", "gathering", "unsafe_place",
             "vandalism", "graffiti", "littering"}
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def error_codes_json(response) -> list[int]:
    body = as_json(response)
    assert isinstance(body, list) and body
    for e in body:
        assert set(e) == {"code", "description"}
        assert isinstance(e["code"], int) and isinstance(e["description"], str)
        assert e["description"]
    return [e["code"] for e in body]


def error_codes_xml(response) -> list[int]:
    items = xml_items(response, "errors", "error")
    assert items
    for e in items:
        assert set(e) == {"code", "description"} and e["description"]
    return [int(e["code"]) for e in items]


# --- GET services ------------------------------------------------------------------------

def test_service_list_json(world, anon) -> None:
    r = anon.get(BASE + "services.json")
    assert r.status_code == 200
    body = as_json(r)
    assert isinstance(body, list)
    assert {s["service_code"] for s in body} == TIP_CODES
    for s in body:
        assert set(s) == SERVICE_FIELDS
        assert isinstance(s["metadata"], bool)
        assert s["type"] in {"realtime", "batch", "blackbox"}
        assert isinstance(s["keywords"], str) and isinstance(s["group"], str)
    sale = next(s for s in body if s["service_code"] == "open_sale")
    assert sale["service_name"] == "Open sale" and sale["group"] == "Drugs"


def test_service_list_xml(world, anon) -> None:
    r = anon.get(BASE + "services.xml")
    assert r.status_code == 200
    items = xml_items(r, "services", "service")
    assert {s["service_code"] for s in items} == TIP_CODES
    for s in items:
        assert set(s) == SERVICE_FIELDS
        assert s["metadata"] in {"true", "false"}
    assert next(s for s in items if s["service_code"] == "graffiti")["group"] == "Disorder"


def test_inactive_and_non_tip_categories_are_no_services(world, anon) -> None:
    Category.objects.filter(city=world.city, slug="littering").update(active=False)
    codes = {s["service_code"] for s in anon.get(BASE + "services.json").json()}
    assert codes == TIP_CODES - {"littering"}
    assert "shooting" not in codes


def test_unknown_format_is_not_found(world, anon) -> None:
    assert anon.get(BASE + "services.csv").status_code == 404
    assert anon.get(BASE + "services").status_code == 404


# --- GET service definition -------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition(world, anon, fmt) -> None:
    r = anon.get(BASE + f"services/graffiti.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        body = as_json(r)
        assert body["service_code"] == "graffiti"
        attrs = body["attributes"]
        assert all(isinstance(a["variable"], bool) and isinstance(a["required"], bool)
                   and isinstance(a["order"], int) for a in attrs)
    else:
        root = xml_root(r)
        assert root.tag == "service_definition"
        assert root.findtext("service_code") == "graffiti"
        assert [el.tag for el in root.find("attributes")] == ["attribute"]
        attrs = [{sub.tag: sub.text or "" for sub in a} for a in root.iter("attribute")]
    assert len(attrs) == 1
    for a in attrs:
        assert set(a) == ATTRIBUTE_FIELDS
        assert a["datatype"] in DATATYPES
    assert attrs[0]["code"] == "occurred_at" and attrs[0]["datatype"] == "datetime"


def test_services_with_metadata_have_a_definition(world, anon) -> None:
    for s in anon.get(BASE + "services.json").json():
        if s["metadata"]:
            assert anon.get(BASE + f"services/{s['service_code']}.json").status_code == 200


@pytest.mark.parametrize("code", ["shooting", "no_such_thing"])
def test_unknown_service_definition_is_404_with_error_array(world, anon, code) -> None:
    r = anon.get(BASE + f"services/{code}.json")
    assert r.status_code == 404 and error_codes_json(r) == [404]
    r = anon.get(BASE + f"services/{code}.xml")
    assert r.status_code == 404 and error_codes_xml(r) == [404]


# --- POST requests: status codes and the response --------------------------------------

def test_post_keyless_returns_201_with_token_json(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE})
    assert r.status_code == 201, r.content
    body = as_json(r)
    assert isinstance(body, list) and len(body) == 1
    item = body[0]
    assert set(item) == {"token", "service_notice"}
    assert item["token"] and item["service_notice"]
    assert "service_request_id" not in item  # not accepted yet: the token stands for it


def test_post_keyless_xml(world, anon) -> None:
    r = anon.post(BASE + "requests.xml", {"service_code": "graffiti", **INSIDE})
    assert r.status_code == 201
    items = xml_items(r, "service_requests", "request")
    assert len(items) == 1 and items[0]["token"]
    assert "service_request_id" not in items[0]


def test_post_with_partner_key_returns_the_request_id(world, anon, key_of) -> None:
    r = anon.post(BASE + "requests.xml", {"service_code": "graffiti", "api_key":
                                          key_of("police_reporter"), **INSIDE})
    assert r.status_code == 201
    item = xml_items(r, "service_requests", "request")[0]
    report = Report.objects.get()
    assert item["service_request_id"] == str(report.pk)


def test_post_missing_required_fields_is_400_naming_each(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"description": "x"})
    assert r.status_code == 400
    assert error_codes_json(r) == [400, 400, 400]
    text = " ".join(e["description"] for e in r.json())
    for name in ("service_code", "lat", "long"):
        assert name in text
    r = anon.post(BASE + "requests.xml", {"service_code": "graffiti"})
    assert r.status_code == 400 and error_codes_xml(r) == [400, 400]
    assert Report.objects.count() == 0


def test_post_address_only_is_400(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti",
                                           "address_string": "Storgatan 1"})
    assert r.status_code == 400
    assert {e["description"].split(":")[0] for e in r.json()} == {"lat", "long"}


def test_post_not_a_number_is_400(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", "lat": "north",
                                           "long": "16.9"})
    assert r.status_code == 400 and r.json()[0]["description"].startswith("lat:")


def test_post_unknown_service_is_404(world, anon) -> None:
    for code in ("shooting", "nope"):
        r = anon.post(BASE + "requests.json", {"service_code": code, **INSIDE})
        assert r.status_code == 404 and error_codes_json(r) == [404]
    assert Report.objects.count() == 0


def test_post_outside_the_city_is_400_naming_long(world, anon) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", "lat": "59.5",
                                           "long": "16.9"})
    assert r.status_code == 400
    assert r.json()[0]["description"].startswith("long:")
    assert Report.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_api_key_is_403(world, anon, key_of, fmt) -> None:
    r = anon.post(BASE + f"requests.{fmt}", {"service_code": "graffiti", "api_key": "ds_nope",
                                             **INSIDE})
    assert r.status_code == 403
    assert (error_codes_json(r) if fmt == "json" else error_codes_xml(r)) == [403]
    assert anon.get(BASE + f"requests.{fmt}", {"api_key": "wrong"}).status_code == 403
    assert anon.get(BASE + f"services.{fmt}", {"api_key": "wrong"}).status_code == 403
    assert Report.objects.count() == 0


def test_revoked_key_is_403(world, anon) -> None:
    from drugscene.accounts.tokens import create_token

    token, raw = create_token(world.users["police_reporter"])
    revoke_token(token)
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", "api_key": raw,
                                           **INSIDE})
    assert r.status_code == 403


def test_empty_api_key_counts_as_keyless(world, anon) -> None:
    # some clients always send the field (FixMyStreet sends api_key even when unset)
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", "api_key": "",
                                           **INSIDE})
    assert r.status_code == 201
    assert Report.objects.get().reporter is None


def test_role_that_may_not_report_is_403(world, anon, key_of) -> None:
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti",
                                           "api_key": key_of("police_viewer"), **INSIDE})
    assert r.status_code == 403 and error_codes_json(r) == [403]
    assert Report.objects.count() == 0


def test_wrong_method_is_405(world, anon) -> None:
    r = anon.post(BASE + "services.json")
    assert r.status_code == 405 and error_codes_json(r) == [405]
    assert r["Allow"] == "GET"


# --- GET requests: fields, types and dates ----------------------------------------------

def test_request_fields_json_and_xml(world, anon, key_of) -> None:
    report = make_report(world, text="Tags on the school wall")
    key = key_of("police_reporter")
    body = as_json(anon.get(BASE + "requests.json", {"api_key": key}))
    assert len(body) == 1
    item = body[0]
    assert set(item) == REQUEST_FIELDS
    assert item["service_request_id"] == report.pk
    assert isinstance(item["lat"], float) and isinstance(item["long"], float)
    assert item["status"] in {"open", "closed"}
    assert item["service_code"] == "graffiti" and item["service_name"] == "Graffiti"
    assert item["description"] == "Tags on the school wall"
    for name in ("requested_datetime", "updated_datetime"):
        assert W3C.match(item[name]), item[name]
    assert datetime.fromisoformat(item["requested_datetime"]) == report.reported_at.replace(
        microsecond=0)
    items = xml_items(anon.get(BASE + "requests.xml", {"api_key": key}), "service_requests",
                      "request")
    assert len(items) == 1 and set(items[0]) == REQUEST_FIELDS
    assert items[0]["service_request_id"] == str(report.pk)
    assert float(items[0]["lat"]) == pytest.approx(59.0003)
    assert float(items[0]["long"]) == pytest.approx(16.9112)
    assert W3C.match(items[0]["requested_datetime"])


def test_single_request_is_an_array_of_one(world, anon, key_of) -> None:
    report = make_report(world)
    key = key_of("police_reporter")
    body = as_json(anon.get(BASE + f"requests/{report.pk}.json", {"api_key": key}))
    assert isinstance(body, list) and len(body) == 1 and set(body[0]) == REQUEST_FIELDS
    items = xml_items(anon.get(BASE + f"requests/{report.pk}.xml", {"api_key": key}),
                      "service_requests", "request")
    assert items[0]["service_request_id"] == str(report.pk)


def test_unknown_request_and_token_are_404(world, anon) -> None:
    r = anon.get(BASE + "requests/999999.json")
    assert r.status_code == 404 and error_codes_json(r) == [404]
    r = anon.get(BASE + "requests/abc.xml")
    assert r.status_code == 404 and error_codes_xml(r) == [404]
    r = anon.get(BASE + "tokens/not-a-token.json")
    assert r.status_code == 404 and error_codes_json(r) == [404]


@pytest.mark.parametrize("params, field", [
    ({"start_date": "2026-01-01T00:00:00"}, "start_date"),  # no offset
    ({"end_date": "yesterday"}, "end_date"),
    ({"status": "pending"}, "status"),
    ({"service_request_id": "1,x"}, "service_request_id"),
    ({"service_code": "shooting"}, "service_code"),
    ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "start_date"),
])
def test_bad_list_parameters_are_400(world, anon, params, field) -> None:
    r = anon.get(BASE + "requests.json", params)
    assert r.status_code == 400, r.content
    assert error_codes_json(r) == [400]
    assert r.json()[0]["description"].startswith(field + ":")


# --- jurisdictions and discovery ----------------------------------------------------------

def test_jurisdiction_optional_with_one_city_but_must_match(world, anon) -> None:
    assert anon.get(BASE + "services.json", {"jurisdiction_id": "testby"}).status_code == 200
    r = anon.get(BASE + "services.json", {"jurisdiction_id": "elsewhere"})
    assert r.status_code == 404 and error_codes_json(r) == [404]


def test_jurisdiction_required_with_several_cities(world, anon) -> None:
    other = factories.make_city("annanstad")
    Category.objects.filter(city=other, slug="graffiti").update(tip_allowed=False)
    r = anon.get(BASE + "services.json")
    assert r.status_code == 400 and "jurisdiction_id" in r.json()[0]["description"]
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE})
    assert r.status_code == 400
    codes = {s["service_code"] for s in anon.get(
        BASE + "services.json", {"jurisdiction_id": "annanstad"}).json()}
    assert codes == TIP_CODES - {"graffiti"}
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", "jurisdiction_id":
                                           "testby", **INSIDE})
    assert r.status_code == 201
    assert Report.objects.get().city == world.city


def test_partner_key_of_another_city_cannot_post_there(world, anon) -> None:
    other = factories.make_city("annanstad")
    org = Organisation.objects.create(city=other, slug="polis", name="Polis", kind="police")
    user = factories.make_user("annan_reporter", org, "reporter")
    from drugscene.accounts.tokens import create_token

    raw = create_token(user)[1]
    r = anon.post(BASE + "requests.json", {"service_code": "graffiti", "jurisdiction_id":
                                           "testby", "api_key": raw, **INSIDE})
    assert r.status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(world, fmt) -> None:
    r = Client().get(BASE + f"discovery.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        body = as_json(r)
        ep = body["endpoints"][0]
        assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
        assert ep["url"].endswith(BASE)
        formats = ep["formats"]
        assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert W3C.match(body["changeset"])
    else:
        root = xml_root(r)
        assert root.tag == "discovery"
        ep = root.find("endpoints/endpoint")
        assert ep.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        formats = [f.text for f in ep.find("formats")]
        assert [f.tag for f in ep.find("formats")] == ["format", "format"]
    assert set(formats) == {"text/xml", "application/json"}


def test_post_needs_no_csrf_token_and_ignores_the_session(world) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["police_reporter"])
    r = client.post(BASE + "requests.json", {"service_code": "graffiti", **INSIDE})
    assert r.status_code == 201
    # a browser session is no api_key: the request is an anonymous tip
    assert Report.objects.get().reporter is None

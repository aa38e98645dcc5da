"""A citizen's Open311 request, from POST to the coordinator's review queue (scrubbed) to
the request id on the tokens call and the request itself."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from drugscene.reports.models import Report
from tests.open311.conftest import BASE, INSIDE, as_json, personnummer, xml_items

PHONE = "070-123 45 67"


def test_request_reaches_the_review_queue_scrubbed_and_is_tracked(world, key_of) -> None:
    citizen = Client(REMOTE_ADDR="10.7.7.7")
    pnr = personnummer()
    text = f"Langning vid busshållplatsen varje kväll. Säljaren {pnr}, tel {PHONE}."
    r = citizen.post(BASE + "requests.xml", {
        "service_code": "open_sale", "description": text, "email": "me@example.se",
        "first_name": "Sven", "phone": "0701112233", **INSIDE})
    assert r.status_code == 201
    token = xml_items(r, "service_requests", "request")[0]["token"]

    # before review the token names no request yet
    pending = as_json(citizen.get(BASE + f"tokens/{token}.json"))
    assert pending == [{"service_request_id": None, "token": token}]
    pending_xml = xml_items(citizen.get(BASE + f"tokens/{token}.xml"), "service_requests",
                            "request")
    assert pending_xml == [{"token": token}]

    # the coordinator's review queue (web) shows it, scrubbed
    coordinator = Client()
    coordinator.force_login(world.users["municipality_coordinator"])
    report = Report.objects.get()
    page = coordinator.get(reverse("web:review"))
    assert page.status_code == 200
    html = page.content.decode()
    link = reverse("web:report-detail", args=[report.pk])
    assert f'href="{link}"' in html
    assert "Langning vid busshållplatsen" in html
    for secret in (pnr, pnr.replace("-", ""), PHONE, "me@example.se", "0701112233"):
        assert secret not in html

    # confirmed on the web page
    done = coordinator.post(reverse("web:report-review", args=[report.pk]),
                            {"status": "confirmed", "next": reverse("web:review")})
    assert done.status_code == 302
    assert f'href="{link}"' not in coordinator.get(reverse("web:review")).content.decode()

    # now the token gives the request id ...
    known = xml_items(citizen.get(BASE + f"tokens/{token}.xml"), "service_requests", "request")
    assert known == [{"service_request_id": str(report.pk), "token": token}]
    assert as_json(citizen.get(BASE + f"tokens/{token}.json"))[0]["service_request_id"] == (
        report.pk)

    # ... and the request reads as confirmed and open for a partner with a key
    key = key_of("municipality_coordinator")
    item = as_json(citizen.get(BASE + f"requests/{report.pk}.json", {"api_key": key}))[0]
    assert item["status"] == "open"
    assert item["service_code"] == "open_sale"
    assert item["status_notes"] == "Confirmed by the coordinator."
    assert "[id number removed]" in item["description"] and pnr not in item["description"]
    listed = xml_items(citizen.get(BASE + "requests.xml", {"api_key": key}),
                       "service_requests", "request")
    assert [i["service_request_id"] for i in listed] == [str(report.pk)]

    # a tip stays for partners: the public never gets it, even after confirmation
    assert citizen.get(BASE + f"requests/{report.pk}.json").status_code == 404


def test_token_of_another_city_is_not_found(world) -> None:
    from tests import factories

    factories.make_city("annanstad")
    r = Client().post(BASE + "requests.json", {"service_code": "graffiti",
                                               "jurisdiction_id": "testby", **INSIDE})
    token = r.json()[0]["token"]
    assert Client().get(BASE + f"tokens/{token}.json",
                        {"jurisdiction_id": "testby"}).status_code == 200
    assert Client().get(BASE + f"tokens/{token}.json",
                        {"jurisdiction_id": "annanstad"}).status_code == 404


def test_partner_token_names_the_request_at_once(world, key_of) -> None:
    r = Client().post(BASE + "requests.json", {"service_code": "graffiti",
                                               "api_key": key_of("police_reporter"), **INSIDE})
    item = r.json()[0]
    got = Client().get(BASE + f"tokens/{item['token']}.json").json()
    assert got == [{"service_request_id": item["service_request_id"], "token": item["token"]}]

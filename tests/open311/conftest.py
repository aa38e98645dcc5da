"""Fixtures of the Open311 tests: a client per caller, public categories, helpers that
read JSON and XML answers the way a GeoReport v2 client does."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from drugscene.accounts.tokens import create_token
from drugscene.reports.models import Category, Report, ReviewStatus
from drugscene.reports.services import review_report
from tests import factories

BASE = "/open311/v2/"
INSIDE = {"lat": "59.0003", "long": "16.9112"}  # in the east district of the test city


def luhn_digit(nine: str) -> str:
    """Independent Luhn check digit (Swedish personal numbers)."""
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


def personnummer() -> str:
    nine = "811218987"
    return f"{nine[:6]}-{nine[6:]}{luhn_digit(nine)}"


def xml_root(response) -> ET.Element:
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(body)  # noqa: S314 (our own server's answer)


def xml_items(response, root: str, item: str) -> list[dict]:
    """Children of ``<root><item>...`` as dicts of element text ('' for empty)."""
    el = xml_root(response)
    assert el.tag == root, el.tag
    assert all(child.tag == item for child in el), [c.tag for c in el]
    return [{sub.tag: (sub.text or "") for sub in child} for child in el]


def as_json(response):
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.fixture
def anon():
    return Client(REMOTE_ADDR="10.0.0.1")


@pytest.fixture
def key_of(world):
    """``key_of("police_reporter")``: a raw API key of that user."""

    def make(name: str) -> str:
        return create_token(world.users[name])[1]

    return make


@pytest.fixture
def public_cats(world):
    """Graffiti and open sale, and no other category, are shown to the public in the test
    city (set here, not taken from the default categories)."""
    Category.objects.filter(city=world.city).update(public=False)
    Category.objects.filter(city=world.city, slug__in=["graffiti", "open_sale"]).update(
        public=True)
    return ["graffiti", "open_sale"]


def make_report(world, by="police_reporter", confirm=True, **kw) -> Report:
    data = {"category": "graffiti", "lon": 16.9112, "lat": 59.0003,
            "occurred_from": timezone.now() - timedelta(hours=2)}
    data.update(kw)
    r = factories.report(world, by=by, **data)
    if confirm:
        r = review_report(world.viewer("police_coordinator"), r.pk,
                          ReviewStatus.CONFIRMED)
    return r

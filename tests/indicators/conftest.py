"""Fixtures of the indicator tests: the catalogue in the test city, and reports spread over
two years (written through the report service, then moved in time)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from drugscene.indicators.services import ensure_default_indicators
from drugscene.reports.models import Report
from tests import factories


@pytest.fixture
def catalogue(world):
    ensure_default_indicators(world.city)
    return {i.slug: i for i in world.city.indicators.all()}


@pytest.fixture
def spread_reports(world):
    """~80 reports of several categories, visibilities and review states over two years,
    in both districts (and on the district border at midnight, to test the time zone)."""
    rng = random.Random(7)
    cats = ["open_sale", "open_use", "drug_litter", "overdose", "vandalism", "gathering"]
    now = datetime.now(UTC)
    ids = []
    for i in range(80):
        lon = 16.885 if i % 2 else 16.915      # west / east district
        vis = rng.choice(["public", "partners", "partners", "restricted"])
        kw = {"visibility": vis}
        if vis == "restricted":
            kw["restricted_to"] = [world.orgs["police"].pk]
        r = factories.report(world, category=rng.choice(cats), lon=lon, lat=59.0, **kw)
        when = now - timedelta(days=rng.uniform(1, 700))
        review = rng.choice(["new", "confirmed", "confirmed", "rejected", "duplicate"])
        Report.objects.filter(pk=r.pk).update(occurred_from=when, review_status=review)
        ids.append(r.pk)
    # a report at 23:30 UTC on the last day of a month: local (Stockholm) time is the next
    # month - it must count there
    r = factories.report(world, category="open_sale", lon=16.885, lat=59.0)
    Report.objects.filter(pk=r.pk).update(occurred_from=datetime(2025, 8, 31, 23, 30,
                                                                   tzinfo=UTC),
                                          review_status="confirmed")
    ids.append(r.pk)
    return ids


@pytest.fixture
def as_user(client, world):
    """``as_user("police_reporter")`` signs the test client in and returns it."""

    def sign_in(name: str):
        client.force_login(world.users[name])
        return client

    return sign_in

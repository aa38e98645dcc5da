"""Loading the demo city into the database: counts, visibility, users, replacement."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from drugscene.accounts.access import viewer_for
from drugscene.accounts.models import Membership
from drugscene.cities.models import City
from drugscene.demo import loader, model
from drugscene.reports.models import Report
from drugscene.reports.selectors import ReportFilter, filter_reports


@pytest.fixture(scope="module")
def demo():
    return model.generate(seed=11, n_reports=3000, start="2024-06-01", days=730)


@pytest.mark.django_db
def test_load_writes_what_was_generated(demo) -> None:
    city = loader.load(demo)
    r = demo.reports
    assert Report.objects.filter(city=city).count() == len(r.lon)
    assert city.areas.count() == len(demo.districts)
    assert city.places.count() == len(demo.places)
    # every report landed in a district, and in the district the generator meant
    assert not Report.objects.filter(city=city, area__isnull=True).exists()
    # restricted reports are named for the police only
    n_restricted = int((r.visibility == 2).sum())
    restricted = Report.objects.filter(city=city, visibility="restricted")
    assert restricted.count() == n_restricted
    assert set(restricted.values_list("restricted_to__kind", flat=True)) == {"police"}
    # duplicates point at their originals
    n_dup = int((r.duplicate_of >= 0).sum())
    assert Report.objects.filter(city=city, duplicate_of__isnull=False).count() == n_dup
    # linked places preserved
    linked = Report.objects.filter(city=city, place__isnull=False).count()
    assert linked == int((r.place >= 0).sum())
    # times preserved (UTC epoch seconds)
    first = Report.objects.filter(city=city).order_by("occurred_from").first()
    assert int(first.occurred_from.timestamp()) == int(np.min(r.occurred_from))


@pytest.mark.django_db
def test_demo_users_log_in_and_see_by_organisation(demo, settings) -> None:
    city = loader.load(demo)
    for username in loader.DEMO_USERS:
        assert authenticate(username=username, password=loader.DEMO_PASSWORD) is not None
    housing = viewer_for(authenticate(username="housing", password=loader.DEMO_PASSWORD))
    police = viewer_for(authenticate(username="police", password=loader.DEMO_PASSWORD))
    flt = ReportFilter(city_id=city.pk)
    seen_h = filter_reports(housing, flt)
    seen_p = filter_reports(police, flt)
    hidden = seen_h.filter(visibility="restricted").exclude(source__kind="housing_company")
    assert not hidden.exists()
    n_restricted = int((demo.reports.visibility == 2).sum())
    assert seen_p.filter(visibility="restricted").count() == n_restricted
    rows = json.loads(_run("users", "--json"))
    demo_rows = [row for row in rows if row.get("demo_password")]
    assert {row["username"] for row in demo_rows} == set(loader.DEMO_USERS)
    assert {row["role"] for row in demo_rows} == {"admin", "coordinator", "analyst",
                                                  "reporter", "viewer"}


@pytest.mark.django_db
def test_loading_again_replaces_the_demo(demo) -> None:
    loader.load(demo)
    loader.load(demo)
    assert City.objects.filter(slug="demo").count() == 1
    assert Report.objects.count() == len(demo.reports.lon)
    assert Membership.objects.filter(is_demo=True).count() == len(loader.DEMO_USERS)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()

"""The public page: no login, the city's language unless the visitor chose one, the plan,
the trends (small counts suppressed), strict CSP, caching."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from drugscene.indicators.models import Indicator, Measurement
from drugscene.indicators.services import ensure_default_indicators
from drugscene.plans.models import Plan
from drugscene.public.services import apply_default_public_categories, configure_city
from tests.public.conftest import make_plan
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_city(city):
    return configure_city(city, public_enabled=True)


def test_readable_without_login_with_plan_and_map(client, public_city) -> None:
    make_plan(public_city)
    response = client.get(f"/public/{public_city.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_csp_clean(html)
    assert 'id="public-map"' in html and 'id="public-config"' in html
    assert "Drogpolitisk plan" in html
    # per pillar: Prevention holds actions 1, 3, 5 (done, ongoing, delayed)
    row = re.search(r"<th scope=\"row\">Prevention</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td class=\"num\"[^>]*>(\d+)</td>", row) == ["3", "1", "1", "0", "1"]
    assert '<progress class="plan-progress" value="2" max="5">' in html
    assert "private" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


def test_no_plan_says_so(client, public_city) -> None:
    response = client.get(f"/public/{public_city.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "plan-progress" not in html and 'id="public-map"' in html


def test_city_language_unless_the_visitor_chose_one(client, public_city) -> None:
    assert public_city.default_language == "sv"
    response = client.get(f"/public/{public_city.slug}/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response["Content-Language"] == "sv"
    assert '<html lang="sv">' in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"/public/{public_city.slug}/")
    assert response["Content-Language"] == "en"
    assert "Cookie" in response["Vary"]


def test_trends_suppress_small_counts(client, public_city) -> None:
    from datetime import date, timedelta

    from django.utils import timezone

    from drugscene.geo import h3grid
    from drugscene.reports.models import Category, Report

    apply_default_public_categories(public_city)
    ensure_default_indicators(public_city)
    deaths = Indicator.objects.get(city=public_city, slug="overdose-deaths")
    Measurement.objects.create(indicator=deaths, period_start=date(2025, 1, 1),
                               period_end=date(2025, 1, 31), value=7)
    Measurement.objects.create(indicator=deaths, period_start=date(2025, 2, 1),
                               period_end=date(2025, 2, 28), value=3)
    when = timezone.now() - timedelta(days=62)
    for slug in ("open_sale", "overdose"):
        Report.objects.bulk_create([Report(
            city=public_city, occurred_from=when, reported_at=when, lon=16.895, lat=59.0,
            h3_cell=h3grid.cell_of(16.895, 59.0),
            category=Category.objects.get(city=public_city, slug=slug),
            source=public_city.organisations.first() or _org(public_city),
            visibility="partners", review_status="confirmed") for _ in range(3)])
    # the city's records begin a year earlier (a series leaves out the partly covered
    # period in which the records begin)
    old = timezone.now() - timedelta(days=400)
    Report.objects.create(
        city=public_city, occurred_from=old, reported_at=old, lon=16.895, lat=59.0,
        h3_cell=h3grid.cell_of(16.895, 59.0),
        category=Category.objects.get(city=public_city, slug="overdose"),
        source=public_city.organisations.first() or _org(public_city),
        visibility="partners", review_status="confirmed")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/public/{public_city.slug}/").content.decode()
    block = _article(html, "Drug-induced deaths")
    assert "2025-02: fewer than 5" in block
    assert ">3<" not in block and ">7<" in block
    # a computed count of a public category is shown (3 is suppressed); one of a
    # non-public category is not shown at all
    sale = _article(html, "Reports of open sale")
    assert "fewer than 5" in sale and ">3<" not in sale
    assert "Reports of overdoses" not in html


def _org(city):
    from drugscene.accounts.models import Organisation

    return Organisation.objects.create(city=city, slug="kommunen", name="Kommunen",
                                       kind="municipality")


def _article(html: str, title: str) -> str:
    block = html[html.index(f"<h3>{title}</h3>"):]
    return block[:block.index("</article>")]


def test_the_demo_city_page_shows_its_plan(client, demo_city) -> None:
    plan = Plan.objects.filter(city=demo_city).order_by("-period_start").first()
    response = client.get(f"/public/{demo_city.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_csp_clean(html)
    assert plan is not None  # the demo's plan (drugscene.plans.demo)
    assert plan.title in html and "plan-progress" in html


def test_page_figures_are_cached_per_city_and_language(client, public_city, monkeypatch) -> None:
    from django.core.cache import cache

    from drugscene.public import views

    calls = []
    real = views.public_series
    monkeypatch.setattr(views, "public_series", lambda c: calls.append(c.pk) or real(c))
    client.get(f"/public/{public_city.slug}/")
    client.get(f"/public/{public_city.slug}/")
    assert calls == [public_city.pk]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    client.get(f"/public/{public_city.slug}/")
    assert len(calls) == 2
    cache.clear()
    client.get(f"/public/{public_city.slug}/")
    assert len(calls) == 3

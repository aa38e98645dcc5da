"""A citizen opens the public page on a phone: no login, the plan, the hexagon map."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from drugscene.geo import h3grid
from drugscene.public.services import apply_default_public_categories, configure_city
from drugscene.reports.models import Category, Report
from tests.public.conftest import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


def _reports(world, n: int, lon: float, lat: float) -> None:
    when = timezone.now() - timedelta(days=70)
    cat = Category.objects.get(city=world.city, slug="open_sale")
    Report.objects.bulk_create([Report(
        city=world.city, occurred_from=when, reported_at=when, lon=lon, lat=lat,
        h3_cell=h3grid.cell_of(lon, lat), category=cat, source=world.orgs["police"],
        visibility="partners", review_status="confirmed") for _ in range(n)])


def test_citizen_opens_the_public_page(pages, world) -> None:
    configure_city(world.city, public_enabled=True)
    apply_default_public_categories(world.city)
    make_plan(world.city)
    _reports(world, 9, 16.885, 59.005)  # a cell of 9: shown
    _reports(world, 6, 16.915, 58.995)  # a cell of 6: shown
    _reports(world, 3, 16.900, 59.008)  # a cell of 3: never shown
    page = pages.new(viewport=PHONE)
    page.goto(f"/public/{world.city.slug}/")
    assert "/login" not in page.url
    page.wait_for_selector("#public-map[data-hexagons]", state="attached")
    assert page.get_attribute("#public-map", "data-hexagons") == "2"
    # two hexagons and two district outlines are drawn
    assert page.locator("#public-map .leaflet-overlay-pane path").count() == 4
    assert page.locator("#plan-heading").is_visible()
    assert page.locator("text=Drogpolitisk plan").is_visible()
    assert page.locator(".public-legend").is_visible()
    # readable on a phone: nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "public-page-phone.png"), full_page=True)

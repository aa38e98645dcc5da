"""The pages people use, driven in the system Chromium through Playwright.

Without Chromium these tests skip locally and FAIL on CI (``CI`` set): a CI run that
silently skips its browser tests proves nothing. ``DRUGSCENE_CHROMIUM`` overrides the
browser path (default ``/usr/bin/chromium``). Screenshots go to ``var/screenshots/``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from drugscene.reports.models import Report
from tests import factories
from tests.browser import DESKTOP

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_map_data(page, mode: str | None = None) -> None:
    selector = f"#map[data-mode={mode}]" if mode else "#map[data-mode]"
    page.wait_for_selector(selector, state="attached")
    # selectors, not wait_for_function: a string predicate is evaluated with eval(), which the
    # page's CSP forbids whenever the first check fails and polling begins
    page.wait_for_selector("#map:not([aria-busy])", state="attached")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# --- (a) a partner reports, then finds the report on the map and in the list -----------

def test_reporter_creates_report_and_sees_it_everywhere(pages, world):
    page = pages.login("police_reporter")
    page.click("text=New report")
    page.wait_for_url("**/reports/new/")
    page.wait_for_selector("#pick-map .leaflet-pane", state="attached")
    page.click("#pick-map", position={"x": 200, "y": 150})
    assert page.input_value("#id_lat") != ""
    page.select_option("#id_category", "open_sale")
    page.fill("#id_text", "Three people selling by the kiosk")
    page.click("text=Save report")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    assert "was saved" in page.inner_text(".messages")
    assert "Open sale" in page.inner_text("h1")
    assert "Three people selling by the kiosk" in page.inner_text(".report-text")
    report = Report.objects.get()
    assert report.source == world.orgs["police"]

    page.goto(f"/#17/{report.lat:.6f}/{report.lon:.6f}")
    wait_for_map_data(page, "points")
    assert page.get_attribute("#map", "data-total") == "1"
    assert page.inner_text("#map-count") == "Reports in view: 1"
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".leaflet-popup .popup-link")
    page.click(".leaflet-popup .popup-link")
    page.wait_for_url(f"**/reports/{report.pk}/")

    page.goto("/reports/")
    row = page.locator("table.reports-table tbody tr")
    assert row.count() == 1
    assert "Open sale" in row.inner_text()
    assert "Police" in row.inner_text()


def test_use_my_position_fills_the_point(pages, world):
    page = pages.login("police_reporter", geolocation={"latitude": 59.004, "longitude": 16.91,
                                                       "accuracy": 25},
                       permissions=["geolocation"])
    page.goto("/reports/new/")
    page.click("#use-position")
    expect(page.locator("#id_lat")).not_to_have_value("")
    assert page.input_value("#id_lat") == "59.004000"
    assert page.input_value("#id_lon") == "16.910000"
    assert page.input_value("#id_accuracy_m") == "25"


def test_form_errors_are_shown_next_to_fields(pages, world):
    page = pages.login("police_reporter")
    page.goto("/reports/new/")
    page.click("text=Save report")
    page.wait_for_selector("#form-errors")
    assert page.locator(".field-category.has-error .errorlist").count() == 1
    assert page.locator(".picker.has-error").count() == 1
    assert Report.objects.count() == 0


# --- (b) a citizen tips anonymously, a coordinator confirms it ------------------------

def test_anonymous_tip_then_coordinator_confirms(pages, world):
    page = pages.new()
    page.goto("/login/")
    page.click("text=Report anonymously >> nth=0")
    page.wait_for_url("**/tip/")
    page.select_option("#id_category", "open_use")
    page.wait_for_selector("#pick-map .leaflet-pane", state="attached")
    page.click("#pick-map", position={"x": 150, "y": 120})
    page.fill("#id_text", "Needles by the playground")
    page.click("text=Send tip anonymously")
    page.wait_for_url("**/tip/thanks/")
    assert "Thank you" in page.inner_text("h1")
    tip = Report.objects.get()
    assert tip.channel == "tip" and tip.reporter_id is None

    coordinator = pages.login("municipality_coordinator")
    assert coordinator.inner_text(".badge") == "1"
    coordinator.click("nav >> text=Review")
    coordinator.wait_for_url("**/review/")
    item = coordinator.locator(".queue-item")
    assert item.count() == 1
    assert "Needles by the playground" in item.inner_text()
    assert "anonymous tip" in item.inner_text()
    item.locator("button[value=confirmed]").click()
    coordinator.wait_for_selector(f"#review-{tip.pk} .status-confirmed")
    assert "Saved." in coordinator.inner_text(f"#review-{tip.pk}")
    coordinator.wait_for_selector("#review-badge", state="hidden")  # updated out of band
    tip.refresh_from_db()
    assert tip.review_status == "confirmed"
    assert tip.reviewed_by == world.users["municipality_coordinator"]


# --- (c) a police-restricted report stays with the police -----------------------------

def test_restricted_report_invisible_to_housing_company(pages, world):
    police = pages.login("police_reporter")
    police.goto("/reports/new/")
    police.wait_for_selector("#pick-map .leaflet-pane", state="attached")
    police.click("#pick-map", position={"x": 220, "y": 160})
    police.select_option("#id_category", "stash_found")
    assert police.is_hidden("#restricted-box")
    police.check("input[name=visibility][value=restricted]")
    assert police.is_visible("#restricted-box")
    police.check(f"input[name=restricted_to][value='{world.orgs['police'].pk}']")
    police.click("text=Save report")
    police.wait_for_url(re.compile(r"/reports/\d+/$"))
    report = Report.objects.get()
    assert report.visibility == "restricted"

    housing = pages.login("housing_admin")
    data = housing.request.get("/map/data?zoom=13").json()
    assert data["total"] == 0 and data["features"] == []
    housing.goto("/reports/")
    assert housing.locator("table.reports-table").count() == 0
    assert "No reports match" in housing.inner_text("main")
    response = housing.goto(f"/reports/{report.pk}/")
    assert response.status == 404
    assert housing.request.get("/api/v1/reports").json()["count"] == 0
    geo = housing.request.get("/api/v1/reports?format=geojson").json()
    assert geo["features"] == []
    assert housing.request.get(f"/api/v1/reports/{report.pk}").status == 404
    assert housing.request.get("/api/v1/reports/hexagons").json()["total"] == 0

    # the police's own colleagues do see it
    viewer = pages.login("police_viewer")
    assert viewer.request.get("/map/data?zoom=13").json()["total"] == 1
    assert viewer.request.get("/api/v1/reports").json()["count"] == 1


# --- (d) login throttling ---------------------------------------------------------------

def test_login_lockout_message(pages, world, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    page = pages.new()
    page.goto("/login/")
    for _ in range(3):
        page.fill("#id_username", "police_reporter")
        page.fill("#id_password", "wrong password")
        page.click("button[type=submit].btn-primary")
        page.wait_for_selector(".message-error")
    assert page.locator("#login-locked").count() == 0
    page.fill("#id_username", "police_reporter")
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("#login-locked")
    assert "Too many failed sign-in attempts" in page.inner_text("#login-locked")
    assert page.url.endswith("/login/")


# --- (e) screenshots to look at ----------------------------------------------------------

def _demo_reports(world) -> list[Report]:
    now = timezone.now()
    spots = [(16.885, 58.995, "open_sale"), (16.8952, 59.0001, "open_sale"),
             (16.8951, 59.0, "open_use"), (16.905, 59.004, "drug_litter"),
             (16.912, 58.998, "gathering"), (16.899, 59.007, "vandalism"),
             (16.915, 59.006, "robbery"), (16.893, 58.993, "graffiti")]
    made = []
    for i, (lon, lat, cat) in enumerate(spots):
        made.append(factories.report(
            world, by=["police_reporter", "housing_reporter", "social_reporter"][i % 3],
            lon=lon, lat=lat, category=cat, occurred_from=now - timedelta(hours=3 * i + 1),
            persons=i % 4, age_18_25=i % 4, text=f"Observation {i + 1}: group near the entrance"))
    made[0].refresh_from_db()
    return made


def test_screenshots(pages, world, monkeypatch):
    made = _demo_reports(world)
    factories.report(world, text="Seller gave number 070-123 45 67 to a youth", persons=2,
                     age_15_17=1, age_18_25=1, gender_male=2, accuracy_m=30,
                     place_id=world.place.pk)
    # a near-duplicate of the first report: the queue shows a hint
    factories.report(world, by="housing_reporter", lon=16.8851, lat=58.9951,
                     occurred_from=made[0].occurred_from + timedelta(minutes=10))
    detail_id = Report.objects.order_by("-id").first().pk
    for view, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page = pages.login("municipality_coordinator", viewport=size)
        wait_for_map_data(page, "points")
        page.check("#layer-places")
        page.wait_for_timeout(300)
        shot(page, f"map-{view}")
        page.goto("/reports/")
        shot(page, f"list-{view}")
        page.goto(f"/reports/{detail_id}/")
        page.wait_for_selector("#mini-map .leaflet-pane", state="attached")
        shot(page, f"detail-{view}")
        page.goto("/reports/new/")
        page.wait_for_selector("#pick-map .leaflet-pane", state="attached")
        page.click("#pick-map", position={"x": 180, "y": 140})
        shot(page, f"new-report-{view}")
        page.goto("/review/")
        shot(page, f"review-{view}")
        if view == "phone":
            page.click(".nav-toggle")
            page.wait_for_selector("#site-nav.open")
            page.screenshot(path=str(SHOTS / "nav-open-phone.png"))
        tip = pages.new(viewport=size)
        tip.goto("/tip/")
        tip.wait_for_selector("#pick-map .leaflet-pane", state="attached")
        shot(tip, f"tip-{view}")
    admin = pages.login("municipality_admin")
    admin.goto("/audit/")
    shot(admin, "audit-desktop")

    from drugscene.web.views import maps

    monkeypatch.setattr(maps, "POINT_LIMIT", 3)
    page = pages.login("police_viewer")
    wait_for_map_data(page, "hexagons")
    assert int(page.get_attribute("#map", "data-total")) == len(made) + 2
    shot(page, "map-hexagons-desktop")
    assert len(list(SHOTS.glob("*.png"))) >= 14

"""A safety walk recorded in the system Chromium: draw the route, place findings on the
map, save; the responsible organisation then closes its task."""

from __future__ import annotations

import re

import pytest

from drugscene.walks.models import SafetyWalk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_walk_on_the_map_and_close_the_task(pages, world):  # noqa: F811
    page = pages.login("municipality_coordinator")
    page.goto("/walks/new/")
    page.wait_for_selector("#walk-map .leaflet-pane", state="attached")
    page.select_option("#id_area", label="Väster")
    page.locator("#walk-map").scroll_into_view_if_needed()
    box = page.locator("#walk-map").bounding_box()
    cx, cy = box["width"] / 2, box["height"] / 2  # the district fills the middle

    def at(dx, dy):
        return {"x": cx + dx, "y": cy + dy}

    for dx, dy in ((-60, 40), (0, 0), (60, -40)):
        page.click("#walk-map", position=at(dx, dy))
    route = page.input_value("#id_route")
    assert '"LineString"' in route and route.count("[") == 4  # three points

    rows = page.locator("[data-finding-row]")
    first = rows.nth(0)
    first.locator("select[name$='-kind']").select_option("broken_light")
    first.locator("select[name$='-owner']").select_option(label="Housing")
    first.locator("[data-place-finding]").click()
    assert page.get_attribute("[data-mode=finding]", "aria-pressed") == "true"
    page.locator("#walk-map").scroll_into_view_if_needed()
    page.click("#walk-map", position=at(-30, 20))
    assert first.locator("input[name$='-lat']").input_value() != ""
    assert "Placed on the map" in first.locator("[data-placed-text]").inner_text()

    page.click("[data-add-finding]")
    assert rows.count() == 4
    assert page.input_value("#id_finding-TOTAL_FORMS") == "4"
    fourth = rows.nth(3)
    fourth.locator("select[name$='-kind']").select_option("graffiti")
    fourth.locator("select[name$='-owner']").select_option(label="Municipality")
    page.locator("#walk-map").scroll_into_view_if_needed()
    page.click("#walk-map", position=at(30, -20))  # the new row is active
    assert fourth.locator("input[name$='-lon']").input_value() != ""

    page.click("text=Save the walk")
    page.wait_for_load_state()
    assert "/new/" not in page.url, page.eval_on_selector_all(
        ".errorlist", "els => els.map(e => e.parentElement.outerHTML.slice(0, 300))")
    page.wait_for_url(re.compile(r"/walks/\d+/$"))
    walk = SafetyWalk.objects.get()
    assert len(walk.route["coordinates"]) == 3
    assert sorted(walk.findings.values_list("kind", flat=True)) == ["broken_light", "graffiti"]
    assert page.locator("#walk-map .walk-marker").count() == 2

    housing = pages.login("housing_reporter")
    housing.goto("/tasks/")
    assert housing.locator("table.tasks-table tbody tr").count() == 1
    housing.click("table.tasks-table button:has-text('Done')")
    housing.wait_for_url("**/tasks/")
    assert "No open findings" in housing.content()
    assert walk.findings.get(kind="broken_light").status == "done"

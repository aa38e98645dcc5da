"""Download links on the report, place and action lists: for roles that may export, and
they lead to working exports of what the page's user may see."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import assert_csp_clean


@pytest.mark.parametrize("kind", ["reports", "places", "actions"])
def test_list_pages_link_to_exports(scene, client, kind) -> None:
    from django.urls import reverse

    url = {"reports": reverse("web:report-list"), "places": reverse("scenes:place-list"),
           "actions": reverse("actions:action-list")}[kind]
    client.force_login(scene.world.users["police_analyst"])
    html = client.get(url).content.decode()
    assert_csp_clean(html)
    links = re.findall(r'href="(/api/v1/exports/[^"]+)"', html)
    assert {link.split("?")[0] for link in links} == {
        f"/api/v1/exports/{kind}.{fmt}" for fmt in ("gpkg", "geojson", "csv")}
    for link in links:
        r = client.get(link.replace("&amp;", "&"))
        assert r.status_code == 200, link
        b"".join(r.streaming_content)
    client.force_login(scene.world.users["police_reporter"])  # may not export
    assert "/api/v1/exports/" not in client.get(url).content.decode()


def test_report_list_link_keeps_the_filters(scene, client) -> None:
    from django.urls import reverse

    client.force_login(scene.world.users["police_analyst"])
    html = client.get(reverse("web:report-list") + "?category=open_sale").content.decode()
    link = re.search(r'href="(/api/v1/exports/reports\.csv[^"]+)"', html).group(1)
    assert "category=open_sale" in link and "city=testby" in link
    rows = client.get(link.replace("&amp;", "&"))
    text = b"".join(rows.streaming_content).decode()
    assert {line.split(",")[7] for line in text.splitlines()[1:]} == {"open_sale"}

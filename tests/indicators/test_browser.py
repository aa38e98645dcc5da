"""An analyst uploads a CSV, opens the indicator with its chart and adds a measurement by
hand; no CSP violation or script error on the way (system Chromium; see tests/browser.py)."""

from __future__ import annotations

import re

import pytest

from drugscene.indicators.models import Measurement
from drugscene.indicators.services import ensure_default_indicators
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_imports_and_enters_measurements(pages, world, tmp_path):
    ensure_default_indicators(world.city)
    csv = tmp_path / "ww.csv"
    rows = ["indicator,area,period,value,unit,source"]
    rows += [f"wastewater-cocaine,,2025-W{w:02d},{'<LOD' if w == 5 else 300 + 4 * w},"
             f"mg/1000 inhabitants/day,Lab" for w in range(1, 13)]
    csv.write_text("\n".join(rows) + "\n")
    page = pages.new()
    page.set_default_timeout(30_000)
    page.goto("/login/")
    page.fill("#id_username", "police_analyst")
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/$|/#"))
    page.goto("/indicators/")
    page.click("text=Import measurements (CSV)")
    page.set_input_files("#id_file", str(csv))
    page.click("text=Check and import")
    page.wait_for_url(re.compile(r"/indicators/$"))
    assert "Imported 12 rows: 12 new" in page.inner_text(".messages")
    page.click("text=Cocaine in wastewater (benzoylecgonine)")
    assert "The series rises significantly." in page.inner_text("#trend")
    assert page.locator("img.chart").first.evaluate("i => i.naturalWidth") > 100
    page.fill("#id_m-period", "2025-W13")
    page.fill("#id_m-value", "<0,5")
    page.click("text=Save the measurement")
    page.wait_for_url(re.compile(r"#measurements$"))
    m = Measurement.objects.get(indicator__slug="wastewater-cocaine",
                                period_start__month=3, period_start__day=24)
    assert (m.value, m.below_lod, m.lod) == (None, True, 0.5)

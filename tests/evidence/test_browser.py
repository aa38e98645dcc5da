"""The evidence panel on the action form follows the kind select; the catalogue pages in
the system Chromium (no CSP errors). Screenshots go to ``var/screenshots/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from drugscene.evidence.catalogue import BY_KEY
from tests.evidence.helpers import action, follow_up

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_panel_follows_the_kind_select(pages, world):
    page = pages.login("municipality_coordinator")
    page.goto("/actions/new/")
    panel = page.locator("#evidence-panel")
    assert "Choose a kind of action" in panel.inner_text()
    page.select_option("#id_kind", "lighting")
    page.wait_for_selector("#evidence-panel[data-kind=lighting]")
    assert str(BY_KEY["lighting"].summary)[:40] in panel.inner_text()
    shot(page, "evidence-action-form")
    page.select_option("#id_kind", "other")
    page.wait_for_selector("#evidence-panel[data-kind=other]")
    assert "too varied" in panel.inner_text()
    # the panel's links open in a new tab so the form keeps what was typed
    link = page.locator("#evidence-panel a")
    assert link.get_attribute("target") == "_blank"
    page.goto(link.get_attribute("href"))
    assert page.locator("h1").inner_text() == "Evidence catalogue"
    shot(page, "evidence-list")


def test_detail_with_own_results(pages, world):
    a = action(world, "hotspot_patrol", title="Patrull vid Torget")
    follow_up(a, "end", rr=0.55, wdq=0.3)
    follow_up(a, "m3", rr=0.7, came_back=True)
    page = pages.login("police_analyst")
    page.goto("/evidence/hotspot_patrol/")
    assert "Patrull vid Torget" in page.inner_text("#main")
    assert "Koper" in page.inner_text(".detail-side")
    shot(page, "evidence-detail")
    page.click("text=Patrull vid Torget")
    page.wait_for_url(f"**/actions/{a.pk}/")
    assert "What research says" in page.inner_text("#evidence-panel")

"""The evidence panel on the action form follows the kind select (system Chromium)."""

from __future__ import annotations

import pytest

from drugscene.evidence.catalogue import BY_KEY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_panel_follows_the_kind_select(pages, world):
    page = pages.login("municipality_coordinator")
    page.goto("/actions/new/")
    panel = page.locator("#evidence-panel")
    assert "Choose a kind of action" in panel.inner_text()
    page.select_option("#id_kind", "lighting")
    page.wait_for_function(
        "document.getElementById('evidence-panel').getAttribute('data-kind') === 'lighting'")
    assert str(BY_KEY["lighting"].summary)[:40] in panel.inner_text()
    page.select_option("#id_kind", "other")
    page.wait_for_function(
        "document.getElementById('evidence-panel').getAttribute('data-kind') === 'other'")
    assert "too varied" in panel.inner_text()
    page.click("#evidence-panel >> text=The evidence catalogue")
    page.wait_for_url("**/evidence/")
    assert page.locator("h1").inner_text() == "Evidence catalogue"

"""A drug coordinator updates an action's progress, sees the plan page change and
downloads the progress PDF (system Chromium through Playwright; see tests/browser.py)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from drugscene.plans import services
from drugscene.plans.models import PlanAction
from tests import factories

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_records_progress_and_prints_the_pdf(pages, world):
    plan = services.create_plan(world.viewer("municipality_coordinator"), world.city,
                                services.PlanInput(title="Drug plan 2026",
                                                   period_start=date(2026, 1, 1),
                                                   period_end=date(2030, 12, 31)))
    for i, status in enumerate(("ongoing", "planned", "ongoing")):
        PlanAction.objects.create(plan=plan, number=f"1.{i + 1}", title=f"Prevention {i + 1}",
                                  pillar=plan.pillars.get(code="prevention"), status=status,
                                  lead_organisation=world.orgs["social"],
                                  budget_eur=Decimal(10000), start=date(2026, 1, 1),
                                  end=date(2027, 1, 1))
    page = pages.new()
    page.set_default_timeout(30_000)  # the shared test machine is sometimes slow
    page.goto("/login/")
    page.fill("#id_username", "municipality_coordinator")
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/$|/#"))
    page.goto(f"/plans/{plan.pk}/")
    assert "0 % done" in page.inner_text("#pillars-title + table tbody tr:first-child")
    page.click("text=Prevention 1")
    page.wait_for_url(re.compile(r"/plans/actions/\d+/$"))
    page.fill("#id_progress-text", "Every school has adopted its policy")
    page.select_option("#id_progress-status", "done")
    page.fill("#id_progress-spent_eur", "9500")
    page.click("text=Save progress")
    page.wait_for_url(re.compile(r"/plans/actions/\d+/#progress$"))
    assert "Progress recorded" in page.inner_text(".messages")
    assert "Every school has adopted its policy" in page.inner_text(".notes")
    assert page.inner_text("#plan-action-status") == "Done"

    page.click(f"text={plan.title}")
    page.wait_for_url(re.compile(rf"/plans/{plan.pk}/"))
    row = page.inner_text("#pillars-title + table tbody tr:first-child")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "plan-progress.png"), full_page=True)
    assert "33 % done" in row and ("9,500" in row or "9 500" in row)
    with page.expect_download() as info:
        page.click("#progress-pdf")
    download = info.value
    data = Path(download.path()).read_bytes()
    assert data[:5] == b"%PDF-"
    assert download.suggested_filename == "drug-plan-2026-progress.pdf"

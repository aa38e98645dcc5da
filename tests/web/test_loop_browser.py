"""The weekly loop as a coordinator walks it, in the system Chromium through Playwright.

Review the new report → read the situational picture (and its PDF) → record the week's
meeting with a priority for next week → act on a cause at a place → follow up the action.

Without Chromium this test skips locally and FAILS on CI (``CI`` set), like
``test_browser.py``. Screenshots go to ``var/screenshots-loop/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from drugscene.actions.models import Action
from drugscene.core import weeks
from drugscene.evaluation.services import compute_due
from drugscene.meetings.models import Meeting
from drugscene.reports.models import Report
from drugscene.reports.services import review_report
from drugscene.scenes.services import CauseAnalysisInput, record_cause_analysis
from drugscene.web.common import city_tz
from tests import factories

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots-loop"
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def coordinator(browser, live_server, world) -> Iterator[object]:
    """A page signed in as the municipality's coordinator; fails on console errors."""
    errors: list[str] = []
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()

    def console(message) -> None:
        text = message.text
        if message.type != "error" or text.startswith("Failed to load resource"):
            return
        errors.append(f"{page.url}: {text}")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if "/static/" in r.url and r.status >= 400 else None)
    page.goto("/login/")
    page.fill("#id_username", "municipality_coordinator")
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/$|/#"))
    yield page
    context.close()
    assert errors == [], errors


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_weekly_loop_review_picture_meeting_action_follow_up(coordinator, world):
    page = coordinator
    tz = city_tz(world.city)
    today = timezone.localdate(timezone=tz)
    this_week = weeks.of_date(today)
    next_week = weeks.shift(this_week, 1)
    week_start, _ = weeks.bounds(this_week, tz)
    now = timezone.now()

    # --- arrange: police reports at Torget this week, one still new; a cause analysis ---
    def at_torget(minutes_ago: int, text: str) -> Report:
        when = max(now - timedelta(minutes=minutes_ago), week_start + timedelta(minutes=1))
        return factories.report(world, by="police_reporter", place_id=world.place.pk,
                                lon=None, lat=None, occurred_from=when, text=text)

    reviewed = [at_torget(30 + 10 * i, f"Selling by the fountain {i}") for i in range(3)]
    for r in reviewed:
        review_report(world.viewer("municipality_coordinator"), r.pk, "confirmed")
    fresh = at_torget(5, "Two people dealing at the benches")
    assert fresh.review_status == "new"
    record_cause_analysis(
        world.viewer("municipality_coordinator"), world.place.pk,
        CauseAnalysisInput(date=today, organisation_id=world.orgs["municipality"].pk,
                           factors={"lighting": (True, "Broken lamps")}))

    # --- 1. the review queue: confirm the new report -------------------------------------
    page.goto("/review/")
    items = page.locator("ol.queue li.queue-item")
    assert items.count() == 1
    assert f"#{fresh.pk}" in items.first.inner_text()
    assert "Two people dealing at the benches" in items.first.inner_text()
    assert "1 report awaits review" in page.inner_text("p.lead")
    shot(page, "01-review-queue")
    page.locator(f"#review-{fresh.pk} button[name=status][value=confirmed]").click()
    page.wait_for_selector(f"#review-{fresh.pk} .message-success")
    assert page.inner_text(f"#review-{fresh.pk} .status").strip() == "Confirmed"
    fresh.refresh_from_db()
    assert fresh.review_status == "confirmed"
    page.goto("/review/")
    assert page.locator("ol.queue li.queue-item").count() == 0
    assert "Nothing to review" in page.inner_text("main")
    shot(page, "02-review-empty")

    # --- 2. the situational picture of this week -----------------------------------------
    page.goto(f"/situation/?week={this_week}")
    assert f"Situational picture, week {this_week}" in page.inner_text("h1")
    total = page.locator("tr.total")
    assert "All reports" in total.inner_text()
    assert total.locator("td.num").first.inner_text().strip() == "4"
    places = page.locator("section.picture-section:has(h2:text-is('Places')) "
                          "table.picture-table tbody tr")
    torget = places.filter(has_text="Torget")
    assert torget.count() == 1
    assert torget.locator("td.num").first.inner_text().strip() == "4"
    by_source = page.locator("section.picture-section:has(h2:text-is('Who reported this week'))"
                             " tbody tr")
    assert "Police" in by_source.first.inner_text()
    shot(page, "03-situation")
    pdf_href = page.get_attribute("a:text('PDF for the meeting')", "href")
    assert f"week={this_week}" in pdf_href
    pdf = page.request.get(pdf_href)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # --- 3. the meeting of this week and a priority for next week ------------------------
    page.goto("/meetings/")
    page.click(f"text=Record this week's meeting ({this_week})")
    page.wait_for_url("**/meetings/new/**")
    assert page.input_value("#id_iso_week") == this_week
    assert page.input_value("#id_date") == today.isoformat()
    for org in ("police", "municipality"):
        page.check(f"input[name=attendees][value='{world.orgs[org].pk}']")
    page.select_option("#id_chair", str(world.orgs["municipality"].pk))
    page.fill("#id_notes", "Torget is busy again; lamps broken.")
    page.click("text=Save the meeting")
    page.wait_for_url(f"**/meetings/{this_week}/")
    assert f"week {this_week} was saved" in page.inner_text(".messages")
    attending = page.inner_text("aside.detail-side ul.chips")
    assert "Police" in attending and "Municipality" in attending
    assert "Housing" not in attending
    meeting = Meeting.objects.get(city=world.city, iso_week=this_week)
    assert meeting.attendees.count() == 2

    assert f"Priorities for next week ({next_week})" in page.inner_text("#priorities-title")
    page.select_option("#id_priority-organisation", str(world.orgs["police"].pk))
    page.select_option("#id_priority-place", str(world.place.pk))
    page.fill("#id_priority-what", "Visible presence Friday and Saturday evenings")
    page.click("text=Add to the list")
    page.wait_for_url(re.compile(rf"/meetings/{this_week}/"))
    org_block = page.locator("#priorities .priority-org").filter(has_text="Police")
    assert org_block.count() == 1
    assert "Torget" in org_block.inner_text()
    assert "Visible presence Friday and Saturday evenings" in org_block.inner_text()
    shot(page, "04-meeting")

    # --- 4. act on the lighting cause at Torget ------------------------------------------
    page.goto(f"/places/{world.place.pk}/")
    assert "Torget" in page.inner_text("h1")
    row = page.locator("table.factor-table tbody tr").filter(has_text="Lighting")
    assert row.count() == 1
    assert "Broken lamps" in row.inner_text()
    shot(page, "05-place")
    row.locator("a:text('Create an action')").click()
    page.wait_for_url("**/actions/new/?cause=*")
    assert "“lighting”" in page.inner_text(".prefill-note")
    assert "Torget" in page.inner_text(".prefill-note")
    assert page.input_value("#id_place") == str(world.place.pk)
    cause = page.locator("input[name=causes]")
    assert cause.count() == 1 and cause.first.is_checked()
    assert page.input_value("#id_title") == "Lighting: Torget"
    page.select_option("#id_owner", str(world.orgs["municipality"].pk))
    page.select_option("#id_kind", "lighting")
    start, end = today - timedelta(days=30), today - timedelta(days=1)
    page.fill("#id_start", start.isoformat())
    page.fill("#id_end", end.isoformat())
    shot(page, "06-action-form")
    page.click("text=Save the action")
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    action = Action.objects.get()
    assert action.place_id == world.place.pk and action.kind == "lighting"
    assert "Lighting: Torget" in page.inner_text("h1")
    assert f"{start.isoformat()} – {end.isoformat()}" in page.inner_text("dl.facts")
    follow_ups = page.locator("ul.follow-ups li.follow-up")
    assert follow_ups.count() == 4
    texts = [t.lower() for t in follow_ups.all_inner_texts()]
    for text, milestone in zip(texts, ("at the end", "3 months after", "6 months after",
                                       "12 months after"), strict=True):
        assert milestone in text
        assert "pending" in text
    first = follow_ups.first
    assert "follow-up-pending" in first.get_attribute("class")
    assert first.locator(".fu-due-now").inner_text() == "due"
    assert follow_ups.nth(1).locator(".fu-due-now").count() == 0
    shot(page, "07-action-pending")

    # --- 5. the follow-up computation ----------------------------------------------------
    computed, not_computable = compute_due()
    assert computed + not_computable == 1
    page.reload()
    follow_ups = page.locator("ul.follow-ups li.follow-up")
    first = follow_ups.first
    assert "follow-up-done" in first.get_attribute("class")
    state = first.locator(".fu-state").inner_text().strip()
    assert state and state != "pending"
    fu = action.follow_ups.order_by("due_date").first()
    assert fu.computed_at is not None
    assert state == (fu.verdict or "computed")
    assert first.locator(".fu-due-now").count() == 0
    for i in (1, 2, 3):
        assert "follow-up-pending" in follow_ups.nth(i).get_attribute("class")
    shot(page, "08-action-computed")

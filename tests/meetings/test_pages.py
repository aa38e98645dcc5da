"""Meeting pages through the test client: who may open what, forms naming fields, nothing
stored on bad input, and the follow-up table."""

from __future__ import annotations

from datetime import date

import h3
import pytest
from django.urls import reverse
from django.utils import timezone

from drugscene.actions import services as action_services
from drugscene.core import weeks
from drugscene.meetings import services
from drugscene.meetings.models import Decision, Meeting, Priority
from drugscene.meetings.services import DecisionInput, MeetingInput, PriorityInput
from tests import factories
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db
ROLES = ["viewer", "reporter", "analyst", "coordinator", "admin"]
RUNS = {"coordinator", "admin"}
WEEK = "2026-W10"


@pytest.fixture
def meeting(world):
    coordinator = world.viewer("municipality_coordinator")
    m = services.save_meeting(coordinator, world.city, MeetingInput(
        iso_week=WEEK, chair_id=world.orgs["municipality"].pk,
        attendee_ids=[world.orgs["police"].pk], notes="Lägesbild genomgången."))
    services.add_decision(coordinator, m.pk, DecisionInput(
        text="Fastighetsägaren beskär häcken", owner_id=world.orgs["housing"].pk))
    services.add_priority(coordinator, m.pk, PriorityInput(
        organisation_id=world.orgs["police"].pk, place_id=world.place.pk,
        what="Synlig närvaro fredag kväll"))
    return m


def test_pages_need_sign_in(client, meeting):
    for url in (reverse("meetings:list"), reverse("meetings:detail", args=[WEEK]),
                reverse("meetings:new")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_list_and_meeting(as_user, meeting, role):
    client = as_user(f"social_{role}")
    response = client.get(reverse("meetings:list"))
    assert response.status_code == 200
    assert WEEK in response.content.decode()
    response = client.get(reverse("meetings:detail", args=[WEEK]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fastighetsägaren beskär häcken" in html
    assert "Synlig närvaro fredag kväll" in html and "Torget" in html
    assert ("Add a decision" in html) == (role in RUNS)
    assert ("Add a priority" in html) == (role in RUNS)
    assert_csp_clean(html)


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_open_the_form(as_user, role):
    response = as_user(f"police_{role}").get(reverse("meetings:new"))
    assert response.status_code == (200 if role in RUNS else 403)


def test_outsider_gets_403(as_user):
    assert as_user("outsider").get(reverse("meetings:list")).status_code == 403


@pytest.mark.parametrize("week", ["2026-W11", "2025-W53", "2026-W99"])
def test_missing_or_impossible_week_is_404(as_user, meeting, week):
    assert as_user("police_viewer").get(reverse("meetings:detail", args=[week])).status_code \
        == 404


def test_record_a_meeting_through_the_form(as_user, world):
    client = as_user("municipality_coordinator")
    response = client.post(reverse("meetings:new"), {
        "iso_week": "2026-W53", "date": "2026-12-29", "chair": world.orgs["police"].pk,
        "attendees": [world.orgs["social"].pk], "notes": "Ring 070-123 45 67",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=["2026-W53"])
    m = Meeting.objects.get()
    assert m.date == date(2026, 12, 29) and "070" not in m.notes
    assert set(m.attendees.values_list("slug", flat=True)) == {"police", "social"}


def test_bad_week_is_named_and_nothing_stored(as_user, world):
    response = as_user("municipality_coordinator").post(reverse("meetings:new"), {
        "iso_week": "2025-W53", "date": "2025-12-29"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "2025 has 52 ISO weeks" in html and 'href="#id_iso_week"' in html
    assert Meeting.objects.count() == 0


def test_date_outside_week_is_named(as_user, world):
    response = as_user("municipality_coordinator").post(reverse("meetings:new"), {
        "iso_week": WEEK, "date": "2026-05-01"})
    assert response.status_code == 422
    assert 'href="#id_date"' in response.content.decode()
    assert Meeting.objects.count() == 0


def test_new_form_for_an_existing_week_updates_it(as_user, meeting, world):
    response = as_user("municipality_coordinator").post(reverse("meetings:new"), {
        "iso_week": WEEK, "date": "2026-03-06", "attendees": [world.orgs["housing"].pk]})
    assert response.status_code == 302
    assert Meeting.objects.count() == 1
    assert Meeting.objects.get().date == date(2026, 3, 6)


def test_edit_keeps_the_week(as_user, meeting, world):
    client = as_user("municipality_coordinator")
    url = reverse("meetings:edit", args=[WEEK])
    response = client.get(url)
    assert response.status_code == 200 and "Lägesbild genomgången." in response.content.decode()
    response = client.post(url, {"iso_week": "2026-W30", "date": "2026-03-04",
                                 "notes": "Ändrad"})
    assert response.status_code == 302
    m = Meeting.objects.get()
    assert (m.iso_week, m.notes) == (WEEK, "Ändrad")


def test_add_decision_and_mark_done(as_user, meeting, world):
    client = as_user("municipality_coordinator")
    response = client.post(reverse("meetings:decision-add", args=[WEEK]), {
        "decision-text": "Socialtjänsten går kvällsrundor", "decision-owner":
        world.orgs["social"].pk, "decision-due": "2026-03-20"})
    assert response.status_code == 302
    d = Decision.objects.get(text__startswith="Socialtjänsten")
    # the owner organisation's reporter marks it done; a viewer may not
    assert as_user("social_viewer").post(
        reverse("meetings:decision-done", args=[d.pk]), {"done": "1"}).status_code == 403
    response = as_user("social_reporter").post(
        reverse("meetings:decision-done", args=[d.pk]), {"done": "1"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.done


def test_bad_decision_names_fields_and_stores_nothing(as_user, meeting):
    response = as_user("municipality_coordinator").post(
        reverse("meetings:decision-add", args=[WEEK]),
        {"decision-text": "Något", "decision-due": "2026-01-01"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#id_decision-due"' in html and "before the meeting" in html
    assert Decision.objects.count() == 1


def test_reporter_cannot_post_decisions(as_user, meeting):
    response = as_user("police_reporter").post(
        reverse("meetings:decision-add", args=[WEEK]), {"decision-text": "x"})
    assert response.status_code == 403
    assert Decision.objects.count() == 1


def test_add_priority_through_the_form(as_user, meeting, world):
    response = as_user("municipality_coordinator").post(
        reverse("meetings:priority-add", args=[WEEK]), {
            "priority-organisation": world.orgs["social"].pk,
            "priority-area": world.place.area_id,
            "priority-what": "Fältgruppen kvällstid"})
    assert response.status_code == 302
    p = Priority.objects.get(organisation=world.orgs["social"])
    assert p.for_week == "2026-W11" and p.area_id == world.place.area_id


def test_priority_with_two_targets_is_refused(as_user, meeting, world):
    response = as_user("municipality_coordinator").post(
        reverse("meetings:priority-add", args=[WEEK]), {
            "priority-organisation": world.orgs["social"].pk,
            "priority-place": world.place.pk, "priority-h3_cell": "891f1d48177ffff",
            "priority-what": "x"})
    assert response.status_code == 422
    assert "exactly one target" in response.content.decode()
    assert Priority.objects.count() == 1


def test_remove_priority(as_user, meeting):
    p = Priority.objects.get()
    assert as_user("police_reporter").post(
        reverse("meetings:priority-remove", args=[p.pk])).status_code == 403
    assert as_user("municipality_coordinator").post(
        reverse("meetings:priority-remove", args=[p.pk])).status_code == 302
    assert Priority.objects.count() == 0


def test_next_meeting_shows_whether_priorities_were_acted_on(as_user, world):
    this_week = weeks.of_date(timezone.localdate())
    last_week = weeks.previous(this_week)
    coordinator = world.viewer("municipality_coordinator")
    m = services.save_meeting(coordinator, world.city, MeetingInput(iso_week=last_week))
    services.add_priority(coordinator, m.pk, PriorityInput(
        organisation_id=world.orgs["police"].pk, place_id=world.place.pk, what="Närvaro"))
    services.add_priority(coordinator, m.pk, PriorityInput(
        organisation_id=world.orgs["housing"].pk, place_id=world.place.pk, what="Belysning"))
    services.save_meeting(coordinator, world.city, MeetingInput(iso_week=this_week))
    services.add_priority(coordinator, m.pk, PriorityInput(
        organisation_id=world.orgs["social"].pk, what="Uppsökande",
        h3_cell=h3.latlng_to_cell(59.0, 16.895, 9)))
    factories.report(world, by="police_reporter",
                     occurred_from=weeks.bounds(this_week, "Europe/Stockholm")[0])
    action = action_services.create_action(coordinator, world.city, action_services.ActionInput(
        owner_id=world.orgs["social"].pk, kind="social_outreach", title="Fältgruppen ute",
        start=weeks.monday(this_week), place_id=world.place.pk, status="planned"))
    html = as_user("police_viewer").get(
        reverse("meetings:detail", args=[this_week])).content.decode()
    table = html[html.index('id="followup"'):html.index('id="decisions"')]
    assert table.count("status-yes") == 2 and table.count("status-no") == 1
    assert reverse("actions:action-detail", args=[action.pk]) in table
    assert "in Väster" in table  # the hot spot named by its district
    assert reverse("scenes:place-detail", args=[world.place.pk]) in table


def test_list_offers_this_weeks_meeting_to_coordinators(as_user, world):
    html = as_user("municipality_coordinator").get(reverse("meetings:list")).content.decode()
    this_week = weeks.of_date(timezone.localdate())
    assert f"?week={this_week}" in html
    html = as_user("municipality_viewer").get(reverse("meetings:list")).content.decode()
    assert "?week=" not in html


def test_new_form_for_a_recorded_week_opens_its_edit_page(as_user, meeting):
    response = as_user("municipality_coordinator").get(reverse("meetings:new") + f"?week={WEEK}")
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:edit", args=[WEEK])


def test_new_form_for_another_week_proposes_its_monday(as_user, world):
    html = as_user("municipality_coordinator").get(
        reverse("meetings:new") + "?week=2026-W10").content.decode()
    assert 'value="2026-W10"' in html and 'value="2026-03-02"' in html


def test_priority_form_names_every_problem_at_once(as_user, meeting, world):
    response = as_user("municipality_coordinator").post(
        reverse("meetings:priority-add", args=[WEEK]), {
            "priority-place": world.place.pk, "priority-area": world.place.area_id})
    html = response.content.decode()
    summary = html[html.index('id="form-errors"'):html.index("</ul>", html.index(
        'id="form-errors"'))]
    for field in ("organisation", "place", "what"):
        assert f'href="#id_priority-{field}"' in summary
    assert Priority.objects.count() == 1

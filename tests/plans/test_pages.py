"""Plan pages through the test client: every member reads, in English and Swedish, with a
strict CSP; only the right roles see and use the forms; PDF and CSV downloads; the link
from an operational action."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zlib
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from drugscene.actions.models import Action
from drugscene.indicators.models import Indicator
from drugscene.plans import services
from drugscene.plans.models import Goal, Milestone, PlanAction, SubGoal
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db
ROLES = ["viewer", "reporter", "analyst", "coordinator", "admin"]


@pytest.fixture
def plan(world):
    p = services.create_plan(world.viewer("municipality_coordinator"), world.city,
                             services.PlanInput(title="Drug plan 2026",
                                                period_start=date(2026, 1, 1),
                                                period_end=date(2030, 12, 31),
                                                yearly_budget_eur=Decimal(2500000),
                                                themes=[("t", "Targeted prevention")]))
    a = PlanAction.objects.create(plan=p, number="1.1", title="School drug policies",
                                  pillar=p.pillars.get(code="prevention"),
                                  lead_organisation=world.orgs["social"],
                                  budget_eur=Decimal(40000), start=date(2026, 1, 1),
                                  end=date(2027, 6, 30), status="ongoing")
    a.themes.set(p.themes.all())
    PlanAction.objects.create(plan=p, number="5.1", title="Street dealing",
                              pillar=p.pillars.get(code="enforcement"),
                              start=date(2026, 1, 1), status="planned")
    Milestone.objects.create(plan_action=a, title="Half the schools", due=date(2026, 3, 1))
    ind = Indicator.objects.create(city=world.city, slug="overdose-deaths", name="Overdose",
                                   unit="deaths")
    g = Goal.objects.create(plan=p, code="G1", title="Fewer deaths")
    SubGoal.objects.create(goal=g, title="Halve deaths", indicator=ind, baseline=10,
                           target=5, deadline=date(2030, 1, 1))
    Goal.objects.create(plan=p, code="G2", title="Unmeasured")
    return p


def _inflated(pdf: bytes) -> bytes:
    """Every Flate-compressed stream of a PDF, decompressed and joined."""
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


def _urls(plan):
    a = plan.actions.get(number="1.1")
    sub = SubGoal.objects.get()
    return {
        "list": reverse("plans:list"), "detail": reverse("plans:detail", args=[plan.pk]),
        "health": reverse("plans:health", args=[plan.pk]),
        "goals": reverse("plans:goals", args=[plan.pk]),
        "action": reverse("plans:action", args=[a.pk]),
        "edit": reverse("plans:edit", args=[plan.pk]), "new": reverse("plans:new"),
        "sub": reverse("plans:sub-goal-edit", args=[sub.pk]),
    }


def test_pages_need_sign_in(client, plan):
    for url in _urls(plan).values():
        assert client.get(url).status_code == 302
    assert client.get(f"/api/v1/plans/{plan.pk}/progress").status_code == 401


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_pages_render_csp_clean(as_user, plan, role, language):
    client = as_user(f"housing_{role}")
    urls = _urls(plan)
    for name in ("list", "detail", "health", "goals", "action"):
        response = client.get(urls[name], HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        assert response.status_code == 200, name
        assert_csp_clean(html)
        assert f'lang="{language}"' in html
    detail = client.get(urls["detail"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "Drug plan 2026" in detail and "Half the schools" in detail
    health = client.get(urls["health"]).content.decode()
    assert "Goal G2 has no sub-goal with an indicator and a target." in health
    assert "Action 5.1 “Street dealing” has no lead organisation." in health


@pytest.mark.parametrize("role", ROLES)
def test_forms_follow_the_roles(as_user, plan, role):
    urls = _urls(plan)
    # the lead organisation (social) reports progress whenever its role may report
    client = as_user(f"social_{role}")
    html = client.get(urls["action"]).content.decode()
    assert ('id="progress"' in html) == (role != "viewer")
    client = as_user(f"police_{role}")
    html = client.get(urls["action"]).content.decode()
    assert ('id="progress"' in html) == (role in ("analyst", "coordinator", "admin"))
    editor = role in ("coordinator", "admin")
    for name in ("edit", "new", "sub"):
        assert client.get(urls[name]).status_code == (200 if editor else 403)
    html = client.get(urls["goals"]).content.decode()
    assert ('id="add-goal"' in html) == editor


def test_progress_form_changes_the_plan_page(as_user, plan, world):
    client = as_user("police_analyst")
    a = plan.actions.get(number="1.1")
    response = client.post(reverse("plans:action-progress", args=[a.pk]), {
        "progress-text": "All schools have a policy", "progress-status": "done",
        "progress-spent_eur": "38000", "progress-date": ""})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "done" and a.spent_eur == Decimal(38000)
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "38,000" in html or "38 000" in html or "38000" in html
    bad = client.post(reverse("plans:action-progress", args=[a.pk]), {
        "progress-text": "", "progress-status": "done", "progress-spent_eur": "38000"})
    assert bad.status_code == 422
    assert_csp_clean(bad.content.decode())


def test_progress_pdf_and_csv(as_user, plan):
    client = as_user("housing_viewer")
    response = client.get(reverse("plans:progress-pdf", args=[plan.pk]))
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    # the document's title holds the plan's title (WeasyPrint writes it to the PDF info,
    # inside a compressed object stream)
    assert b"(Progress of Drug plan 2026)" in _inflated(response.content)
    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # poppler-utils, where installed: the title is in the page text too
        text = subprocess.run([pdftotext, "-", "-"], input=response.content,
                              capture_output=True, check=True).stdout.decode()
        assert "Drug plan 2026" in text
    rows = list(csv.reader(io.StringIO(client.get(
        reverse("plans:progress-csv", args=[plan.pk])).content.decode())))
    assert rows[0][:3] == ["level", "name", "actions"]
    assert rows[1][:3] == ["plan", "Drug plan 2026", "2"]
    pillar_rows = {r[1]: r for r in rows if r[0] == "pillar"}
    assert pillar_rows["Prevention"][2] == "1"
    health = list(csv.DictReader(io.StringIO(client.get(
        reverse("plans:health-csv", args=[plan.pk])).content.decode())))
    assert {(r["kind"], r["object"]) for r in health} >= {
        ("goal_without_measurable_sub_goal", "G2 Unmeasured"),
        ("action_without_owner", "5.1 Street dealing")}


def test_operational_action_links_to_the_plan_action(as_user, plan, world):
    client = as_user("municipality_coordinator")
    a = plan.actions.get(number="1.1")
    form = client.get(reverse("actions:action-new")).content.decode()
    assert "1.1 School drug policies — Drug plan 2026" in form
    response = client.post(reverse("actions:action-new"), {
        "title": "Outreach at Torget", "place": world.place.pk, "owner":
        world.orgs["municipality"].pk, "kind": "social_outreach", "start": "2026-02-01",
        "status": "planned", "plan_action_ref": str(a.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    action = Action.objects.get(title="Outreach at Torget")
    assert action.plan_action == a
    detail = client.get(reverse("actions:action-detail", args=[action.pk])).content.decode()
    assert reverse("plans:action", args=[a.pk]) in detail
    page = client.get(reverse("plans:action", args=[a.pk])).content.decode()
    assert "Outreach at Torget" in page
    # an id that is not one of the city's plan actions is refused, naming the field
    response = client.post(reverse("actions:action-edit", args=[action.pk]), {
        "title": "Outreach at Torget", "place": world.place.pk, "owner":
        world.orgs["municipality"].pk, "kind": "social_outreach", "start": "2026-02-01",
        "status": "planned", "plan_action_ref": "999999"})
    assert response.status_code == 422
    action.refresh_from_db()
    assert action.plan_action == a


def test_other_cities_do_not_see_the_plan(client, plan):
    from drugscene.accounts.models import Organisation
    from tests import factories

    other = factories.make_city("annanby")
    police = Organisation.objects.create(city=other, slug="police", name="Police",
                                         kind="police")
    client.force_login(factories.make_user("annanby_admin", police, "admin"))
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    assert client.get(f"/api/v1/plans/{plan.pk}/progress").status_code == 404


def test_coordinator_records_a_meeting(as_user, plan):
    client = as_user("municipality_coordinator")
    steering = plan.groups.get(kind="steering")
    url = reverse("plans:meeting-add", args=[plan.pk])
    bad = client.post(url, {"meeting-group": steering.pk, "meeting-date": "2026-03-01"})
    assert bad.status_code == 422
    assert_csp_clean(bad.content.decode())
    ok = client.post(url, {"meeting-group": steering.pk, "meeting-date": "2026-03-01",
                           "meeting-open": "on", "meeting-decisions": "Extra pilots"})
    assert ok.status_code == 302
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Extra pilots" in html
    assert as_user("police_analyst").post(url, {"meeting-group": steering.pk}).status_code == 403


def test_coordinator_gives_an_action_an_owner(as_user, plan, world):
    action = plan.actions.get(number="5.1")
    url = reverse("plans:action-edit", args=[action.pk])
    assert as_user("police_analyst").get(url).status_code == 403
    client = as_user("municipality_coordinator")
    html = client.get(url).content.decode()
    assert_csp_clean(html)
    data = {"number": "5.1", "title": "Street dealing", "pillar":
            plan.pillars.get(code="enforcement").pk, "lead_organisation":
            world.orgs["police"].pk, "partners": [world.orgs["housing"].pk],
            "budget_eur": "12000", "start": "2026-01-01", "end": "2026-03-01"}
    bad = client.post(url, {**data, "end": "2025-01-01", "number": "1.1"})
    assert bad.status_code == 422
    assert "Another action of the plan has this number." in bad.content.decode()
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.lead_organisation == world.orgs["police"]
    assert list(action.partners.all()) == [world.orgs["housing"]]
    health = client.get(reverse("plans:health", args=[plan.pk])).content.decode()
    assert "Street dealing” has no lead organisation" not in health
    new = client.post(reverse("plans:action-new", args=[plan.pk]), {
        "number": "5.2", "title": "Port project", "pillar":
        plan.pillars.get(code="enforcement").pk})
    assert new.status_code == 302
    assert plan.actions.filter(number="5.2", lead_organisation__isnull=True).exists()


def test_coordinator_edits_a_goal_and_removes_a_sub_goal(as_user, plan):
    goal = Goal.objects.get(code="G2")
    sub = SubGoal.objects.get()
    client = as_user("police_analyst")
    assert client.get(reverse("plans:goal-edit", args=[goal.pk])).status_code == 403
    assert client.post(reverse("plans:sub-goal-remove", args=[sub.pk])).status_code == 403
    client = as_user("municipality_coordinator")
    page = client.get(reverse("plans:goal-edit", args=[goal.pk]))
    assert page.status_code == 200
    assert_csp_clean(page.content.decode())
    response = client.post(reverse("plans:goal-edit", args=[goal.pk]), {
        "goal-code": "G2", "goal-title": "Recovery",
        "goal-pillar": plan.pillars.get(code="care").pk})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Recovery" and goal.pillar.code == "care"
    assert client.post(reverse("plans:sub-goal-remove", args=[sub.pk])).status_code == 302
    assert not SubGoal.objects.exists()


def test_coordinator_adds_a_budget_line(as_user, plan):
    url = reverse("plans:budget-line-add", args=[plan.pk])
    assert as_user("police_analyst").post(url, {"budget-label": "x"}).status_code == 403
    client = as_user("municipality_coordinator")
    bad = client.post(url, {"budget-label": "Pilots", "budget-year": "2040"})
    assert bad.status_code == 422
    assert_csp_clean(bad.content.decode())
    ok = client.post(url, {"budget-label": "Pilots", "budget-amount_eur": "75000"})
    assert ok.status_code == 302
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Pilots: 75,000 EUR" in html or "Pilots: 75 000 EUR" in html

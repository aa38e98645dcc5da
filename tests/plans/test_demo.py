"""The demo city's plan: shaped like Ghent's, and the health check finds exactly the gaps
planted in it (checked against the planted list written to the ground truth)."""

from __future__ import annotations

from datetime import date

import pytest

from drugscene.actions.models import Action
from drugscene.demo import loader, model
from drugscene.plans import selectors
from drugscene.plans.demo import INDICATOR_SLUGS
from drugscene.plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo():
    return model.generate(seed=5, n_reports=1500, start="2024-06-01", days=730)


def _ref(finding) -> str:
    obj = finding.obj
    kind = obj._meta.model_name
    if kind == "planaction":
        return f"action:{obj.number}"
    if kind == "goal":
        return f"goal:{obj.code}"
    if kind == "subgoal":
        return f"sub_goal:{obj.title}"
    if kind == "area":
        return f"district:{obj.slug}"
    raise AssertionError(kind)


def test_health_check_finds_the_planted_gaps_and_nothing_else(demo):
    city = loader.load(demo)
    truth = demo.ground_truth["plan_gaps"]
    plan = selectors.current_plan(city) or Plan.objects.get(city=city)
    assert plan.title == truth["plan"]
    planted = sorted((g["kind"], g["ref"]) for g in truth["gaps"])
    # every kind of gap is planted at least once
    assert {k for k, _r in planted} == {
        "goal_without_measurable_sub_goal", "sub_goal_without_indicator",
        "sub_goal_without_target", "sub_goal_without_deadline", "action_without_owner",
        "action_without_budget", "action_without_end_date", "action_not_updated",
        "district_with_active_scenes_unaddressed"}
    found = sorted((f.kind, _ref(f))
                   for f in selectors.health_check(plan, date.fromisoformat(truth["as_of"])))
    assert found == planted


def test_demo_plan_is_shaped_like_ghents(demo):
    city = loader.load(demo)
    plan = Plan.objects.get(city=city)
    assert plan.pillars.count() == 5 and plan.themes.count() == 4
    assert plan.actions.count() >= 40
    assert plan.groups.filter(kind="steering").count() == 1
    assert plan.groups.filter(kind="working").count() == 3
    assert plan.budget_lines.count() == 1
    truth = demo.ground_truth["plan_gaps"]
    data = selectors.progress(plan, date.fromisoformat(truth["as_of"]))
    assert len(data["overdue_milestones"]) == len(truth["overdue_milestones"])
    assert {m["plan_action_title"] for m in data["overdue_milestones"]} == set(
        truth["overdue_milestones"])
    # work on the street rolls up: some operational actions serve plan actions
    linked = Action.objects.filter(city=city, plan_action__isnull=False)
    assert linked.count() >= 2
    assert all(a.plan_action.plan_id == plan.pk for a in linked)
    # the sub-goals measure by the eleven catalogue indicators the plan names
    slugs = set(plan.goals.values_list("sub_goals__indicator__slug", flat=True)) - {None}
    assert slugs == set(INDICATOR_SLUGS)


def test_demo_plan_pages_render(demo, client):
    from django.contrib.auth import get_user_model

    from tests.web.conftest import assert_csp_clean

    city = loader.load(demo)
    plan = Plan.objects.get(city=city)
    client.force_login(get_user_model().objects.get(username="coordinator"))
    for url in (f"/plans/?city={city.slug}", f"/plans/{plan.pk}/", f"/plans/{plan.pk}/health/",
                f"/plans/{plan.pk}/goals/",
                f"/plans/actions/{plan.actions.order_by('id').first().pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response.content.decode())
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Styrgrupp drogpolitik" in html and "Arbetsgrupp vård och återhämtning" in html
    pdf = client.get(f"/plans/{plan.pk}/progress.pdf")
    assert pdf.content[:5] == b"%PDF-"
    data = client.get(f"/api/v1/plans/{plan.pk}/progress").json()
    assert data["overall"]["n_actions"] == plan.actions.count()

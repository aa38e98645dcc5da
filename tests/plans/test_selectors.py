"""Progress, the health check, the public summary and the targets, on small plans built by
hand (expected values worked out by hand in the comments)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from drugscene.actions.models import Action
from drugscene.indicators.models import Indicator, Measurement
from drugscene.places.models import Place
from drugscene.plans import selectors, services
from drugscene.plans.models import (
    Goal,
    Milestone,
    Plan,
    PlanAction,
    PlanGroup,
    ProgressNote,
    SubGoal,
    Theme,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


@pytest.fixture
def plan(world):
    p = services.create_plan(world.viewer("municipality_coordinator"), world.city,
                             services.PlanInput(title="Plan 2026", period_start=date(2026, 1, 1),
                                                period_end=date(2030, 12, 31),
                                                themes=[("t1", "Theme one")]))
    return p


def _action(plan, number, pillar="prevention", **kw) -> PlanAction:
    data = {"title": f"Action {number}", "lead_organisation": plan.city.organisations.first(),
            "budget_eur": Decimal(1000), "start": TODAY - timedelta(days=10),
            "end": TODAY + timedelta(days=100), "last_progress": TODAY}
    data.update(kw)
    return PlanAction.objects.create(plan=plan, number=number,
                                     pillar=plan.pillars.get(code=pillar), **data)


def _indicator(city, slug, direction) -> Indicator:
    return Indicator.objects.create(city=city, slug=slug, name=slug, unit="n",
                                    direction=direction)


def _measure(ind, end: date, value, area=None, **kw) -> Measurement:
    return Measurement.objects.create(indicator=ind, period_start=end.replace(day=1),
                                      period_end=end, value=value, area=area, **kw)


def test_sub_goal_on_track_against_a_straight_line(plan, world):
    down = _indicator(world.city, "deaths", "down")
    up = _indicator(world.city, "visits", "up")
    g = Goal.objects.create(plan=plan, code="G1", title="g",
                            pillar=plan.pillars.get(code="harm_reduction"))
    # plan starts 2026-01-01; deadline 2027-01-01 (365 days); baseline 100, target 50.
    # measured to 2026-07-02 = 182 days in: expected 100 - 50 * 182/365 = 75.07
    s1 = SubGoal.objects.create(goal=g, title="deaths", indicator=down, baseline=100,
                                target=50, deadline=date(2027, 1, 1))
    _measure(down, date(2026, 3, 31), 95)
    _measure(down, date(2026, 7, 2), 76)  # latest: 76 > 75.07: off track
    s2 = SubGoal.objects.create(goal=g, title="visits", indicator=up, baseline=10,
                                target=20, deadline=date(2027, 1, 1))
    _measure(up, date(2026, 7, 2), 15.5)  # expected 10 + 10 * 182/365 = 14.99: on track
    s3 = SubGoal.objects.create(goal=g, title="west", indicator=down, baseline=100,
                                target=50, deadline=date(2027, 1, 1),
                                area=world.city.areas.get(slug="west"))
    # no measurement for the west district (the city's does not count): unknown
    states = {st.sub.pk: st for st in selectors.sub_goal_states(plan)}
    assert states[s1.pk].expected == pytest.approx(100 - 50 * 182 / 365)
    assert states[s1.pk].on_track is False
    assert states[s2.pk].on_track is True
    assert states[s3.pk].on_track is None
    data = selectors.progress(plan, TODAY)
    hr = next(p for p in data["pillars"] if p["key"] == "harm_reduction")
    assert hr["sub_goals"] == {"on_track": 1, "off_track": 1, "unknown": 1}


def test_below_detection_and_past_deadline(plan, world):
    ww = _indicator(world.city, "ww", "down")
    g = Goal.objects.create(plan=plan, code="G1", title="g")
    s = SubGoal.objects.create(goal=g, title="ww", indicator=ww, baseline=10, target=5,
                               deadline=date(2026, 2, 1))
    _measure(ww, date(2026, 5, 31), None, below_lod=True, lod=4.0)
    # deadline passed: compared with the target 5; below a limit of 4 is at most 4: on track
    assert selectors.sub_goal_states(plan)[0].on_track is True
    s.target = 3
    s.save()
    assert selectors.sub_goal_states(plan)[0].on_track is None  # at most 4 vs 3: unknown


def test_progress_buckets(plan, world):
    theme = Theme.objects.get(plan=plan, code="t1")
    group = PlanGroup.objects.create(plan=plan, name="WG")
    a = _action(plan, "1", status="done", budget_eur=Decimal("100.50"),
                spent_eur=Decimal(90), working_group=group)
    a.themes.add(theme)
    b = _action(plan, "2", status="ongoing", budget_eur=Decimal(200), spent_eur=None)
    b.themes.add(theme)
    _action(plan, "3", pillar="care", status="delayed", budget_eur=None)
    Milestone.objects.create(plan_action=b, title="late", due=TODAY - timedelta(days=3))
    Milestone.objects.create(plan_action=b, title="due today", due=TODAY)
    Milestone.objects.create(plan_action=a, title="done late", due=TODAY - timedelta(days=9),
                             done_on=TODAY)
    data = selectors.progress(plan, TODAY)
    prev = next(p for p in data["pillars"] if p["key"] == "prevention")
    assert prev["n_actions"] == 2 and prev["by_status"]["done"] == 1
    assert prev["budget_eur"] == 300.5 and prev["spent_eur"] == 90
    assert prev["done_share"] == 0.5 and prev["overdue_milestones"] == 1
    assert [t["n_actions"] for t in data["themes"]] == [2]
    assert [(w["name"], w["n_actions"]) for w in data["working_groups"]] == [("WG", 1)]
    assert data["overall"]["n_actions"] == 3
    assert [(m["title"], m["days_overdue"]) for m in data["overdue_milestones"]] == [("late", 3)]


def test_health_check_kinds(plan, world):
    ind = _indicator(world.city, "x", "down")
    g1 = Goal.objects.create(plan=plan, code="G1", title="measurable")
    SubGoal.objects.create(goal=g1, title="ok", indicator=ind, target=1,
                           deadline=date(2027, 1, 1))
    SubGoal.objects.create(goal=g1, title="no indicator", target=1, deadline=date(2027, 1, 1))
    g2 = Goal.objects.create(plan=plan, code="G2", title="not measurable")
    SubGoal.objects.create(goal=g2, title="no target", indicator=ind,
                           deadline=date(2027, 1, 1))
    SubGoal.objects.create(goal=g1, title="no deadline", indicator=ind, target=2)
    _action(plan, "ok")
    _action(plan, "no-owner", lead_organisation=None)
    _action(plan, "no-budget", budget_eur=None)
    _action(plan, "no-end", end=None)
    old = TODAY - timedelta(days=200)
    _action(plan, "never", start=old, last_progress=None)
    noted = _action(plan, "noted", start=old, last_progress=None)
    ProgressNote.objects.create(plan_action=noted, date=TODAY - timedelta(days=89), text="x")
    stale = _action(plan, "stale", start=old, last_progress=TODAY - timedelta(days=91))
    ProgressNote.objects.create(plan_action=stale, date=TODAY - timedelta(days=95), text="x")
    _action(plan, "done-old", start=old, last_progress=None, status="done")
    _action(plan, "young", start=TODAY - timedelta(days=89), last_progress=None)
    # the west district has the active place Torget; the east gets an active place too,
    # addressed by an open operational action
    east = world.city.areas.get(slug="east")
    p = Place.objects.create(city=world.city, slug="park", name="Park", place_type="park",
                             lon=16.91, lat=59.0, area=east, status="active")
    Action.objects.create(city=world.city, place=p, owner=world.orgs["police"],
                          kind="hotspot_patrol", title="patrol", start=TODAY,
                          status="ongoing")
    Action.objects.create(city=world.city, place=world.place, owner=world.orgs["police"],
                          kind="hotspot_patrol", title="old", start=old, end=old,
                          status="done")
    found = {(f.kind, str(f.obj)) for f in selectors.health_check(plan, TODAY)}
    assert found == {
        ("goal_without_measurable_sub_goal", "G2 not measurable"),
        ("sub_goal_without_indicator", "no indicator"),
        ("sub_goal_without_target", "no target"),
        ("sub_goal_without_deadline", "no deadline"),
        ("action_without_owner", "no-owner Action no-owner"),
        ("action_without_budget", "no-budget Action no-budget"),
        ("action_without_end_date", "no-end Action no-end"),
        ("action_not_updated", "never Action never"),
        ("action_not_updated", "stale Action stale"),
        ("district_with_active_scenes_unaddressed", "Väster"),
    }
    # relative to the day asked about: 100 days later the young action is stale too
    later = {str(f.obj) for f in selectors.health_check(plan, TODAY + timedelta(days=100))
             if f.kind == "action_not_updated"}
    assert "young Action young" in later and "noted Action noted" in later


def test_public_summary_has_no_people_or_organisations(plan, world):
    a = _action(plan, "1", status="done", description="Intern text om Kalle",
                budget_eur=Decimal(500), spent_eur=Decimal(100))
    ProgressNote.objects.create(plan_action=a, date=TODAY, text="secret note")
    _action(plan, "2", pillar="care", status="ongoing", budget_eur=Decimal(250))
    s = selectors.public_summary(plan)
    text = repr(s)
    for hidden in ("Kalle", "secret", "Municipality", "Police", "Action 1"):
        assert hidden not in text
    assert s["totals"] == {"n_actions": 2, "by_status": {"planned": 0, "ongoing": 1,
                                                         "done": 1, "delayed": 0,
                                                         "stopped": 0}, "done_share": 0.5}
    assert s["budget"]["actions_budget_eur"] == 750 and s["budget"]["actions_spent_eur"] == 100
    assert [p["code"] for p in s["pillars"]] == ["prevention", "early_intervention", "care",
                                                 "harm_reduction", "enforcement"]


def test_targets_for_and_current_plan(plan, world):
    ind = _indicator(world.city, "x", "down")
    g = Goal.objects.create(plan=plan, code="G1", title="g")
    west = world.city.areas.get(slug="west")
    SubGoal.objects.create(goal=g, title="west", indicator=ind, baseline=9, target=4,
                           deadline=date(2028, 1, 1), area=west)
    SubGoal.objects.create(goal=g, title="no target", indicator=ind)
    assert selectors.targets_for(ind) == [{"deadline": date(2028, 1, 1), "target": 4,
                                           "baseline": 9, "label": "west",
                                           "area_id": west.pk}]
    old = Plan.objects.create(city=world.city, title="old", period_start=date(2015, 1, 1),
                              period_end=date(2019, 12, 31))
    assert selectors.current_plan(world.city) == plan
    plan.delete()
    assert selectors.current_plan(world.city) == old
    old.delete()
    assert selectors.current_plan(world.city) is None

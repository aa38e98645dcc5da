"""Fixtures of the public page and comparison tests: a small demo city, a plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from drugscene.cities.models import City
from drugscene.demo import loader, model
from drugscene.plans.models import Goal, Pillar, Plan, PlanAction, SubGoal
from drugscene.public.services import apply_default_public_categories, configure_city


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The public page caches its figures for ten minutes: every test starts afresh."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def small_demo():
    """Two years ending today, 4,000 reports: enough for hexagons above and below 5."""
    start = date.today() - timedelta(days=730)
    return model.generate(seed=5, n_reports=4000, start=start.isoformat(), days=730)


def load_demo(demo) -> City:
    city = loader.load(demo)
    configure_city(city, public_enabled=True, **model.statistics_of(city.slug))
    apply_default_public_categories(city)
    return City.objects.get(pk=city.pk)


@pytest.fixture
def demo_city(db, small_demo) -> City:
    return load_demo(small_demo)


def make_plan(city: City, *, statuses=("done", "done", "ongoing", "planned", "delayed"),
              title: str = "Drogpolitisk plan") -> Plan:
    """A plan with two pillars; actions alternate between them; goal G1 has a measurable
    sub-goal, G2 only an unmeasurable one, G3 none."""
    today = date.today()
    plan = Plan.objects.create(city=city, title=title, period_start=today - timedelta(days=400),
                               period_end=today + timedelta(days=1000),
                               yearly_budget_eur=250000)
    pillars = [Pillar.objects.create(plan=plan, code="prevention", name="Prevention", order=1),
               Pillar.objects.create(plan=plan, code="care", name="Care", order=2)]
    for i, status in enumerate(statuses):
        PlanAction.objects.create(plan=plan, number=str(i + 1), title=f"Action {i + 1}",
                                  pillar=pillars[i % 2], status=status)
    from drugscene.indicators.services import ensure_default_indicators

    indicators = {i.slug: i for i in ensure_default_indicators(city)}
    g1 = Goal.objects.create(plan=plan, code="G1", title="Fewer open scenes", pillar=pillars[0])
    SubGoal.objects.create(goal=g1, title="Fewer reports", indicator=indicators["reports-drug"],
                           baseline=100, target=50, deadline=today + timedelta(days=700))
    g2 = Goal.objects.create(plan=plan, code="G2", title="Better care", pillar=pillars[1])
    SubGoal.objects.create(goal=g2, title="Better care somehow")
    Goal.objects.create(plan=plan, code="G3", title="A safer city")
    return plan

"""A city with reports of every visibility, places and actions, for the OGC and export tests.

Reports (by whom, visibility, category):
* ``public``: public visibility in public categories (what a keyless caller gets);
  every report is confirmed (reports.selectors.public_reports needs it);
* ``public_closed``: public visibility in a category that is not public;
* ``partners``: for all partners;
* ``police_only``: restricted to the police; ``housing_only``: restricted to housing.
Points are spread over the city on a fixed pseudo-random pattern, times over 40 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pytest
from django.utils import timezone

from drugscene.accounts.tokens import create_token
from drugscene.actions import services as action_svc
from drugscene.cities.models import Area
from drugscene.reports.models import Category, Report
from tests import factories


@dataclass
class Scene:
    world: factories.World
    groups: dict[str, list[Report]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    actions: list = field(default_factory=list)

    def ids(self, *groups: str) -> set[int]:
        return {r.pk for g in groups for r in self.groups[g]}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            self.tokens[username] = create_token(self.world.users[username])[1]
        return self.tokens[username]


def build_scene(world: factories.World, n: int = 8) -> Scene:
    # the public flags of the default categories, set here so the test does not depend on them
    Category.objects.filter(city=world.city).update(public=False)
    Category.objects.filter(city=world.city, slug__in=["open_sale", "drug_litter"]).update(
        public=True)
    rng = np.random.default_rng(7)
    now = timezone.now()
    scene = Scene(world)
    police, housing = world.orgs["police"].pk, world.orgs["housing"].pk
    plan = {
        "public": {"visibility": "public", "category": "open_sale"},
        "public_closed": {"visibility": "public", "category": "overdose"},
        "partners": {"category": "open_use"},
        "police_only": {"visibility": "restricted", "restricted_to": [police],
                            "category": "stash_found"},
        "housing_only": {"by": "housing_reporter", "visibility": "restricted",
                             "restricted_to": [housing], "category": "drug_litter"},
    }
    for group, kw in plan.items():
        kw = dict(kw)
        by = kw.pop("by", "police_reporter")
        scene.groups[group] = []
        for _ in range(n):
            lon = float(16.8805 + rng.random() * 0.039)
            lat = float(58.9905 + rng.random() * 0.019)
            start = now - timedelta(days=float(rng.random() * 40), minutes=5)
            extra = {}
            if rng.random() < 0.3:
                extra["occurred_to"] = min(start + timedelta(hours=float(rng.random() * 30)),
                                           now - timedelta(minutes=1))
            scene.groups[group].append(factories.report(
                world, by=by, lon=lon, lat=lat, occurred_from=start, text="seen at the gate",
                **kw, **extra))
    # confirmed by the coordinator: only confirmed reports ever reach keyless callers
    Report.objects.filter(city=world.city).update(review_status="confirmed")
    coordinator = world.viewer("municipality_coordinator")
    east = Area.objects.get(city=world.city, slug="east")
    today = date.today()
    scene.actions = [
        action_svc.create_action(coordinator, world.city, action_svc.ActionInput(
            owner_id=world.orgs["municipality"].pk, kind="lighting", title="Better light",
            start=today - timedelta(days=30), end=today - timedelta(days=10),
            place_id=world.place.pk)),
        action_svc.create_action(coordinator, world.city, action_svc.ActionInput(
            owner_id=world.orgs["municipality"].pk, kind="cleaning", title="Clean-up east",
            start=today - timedelta(days=5), area_id=east.pk)),
    ]
    return scene


@pytest.fixture
def scene(world) -> Scene:
    return build_scene(world)

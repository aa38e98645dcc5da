"""The city's own results for a kind of action: checked by hand on a small set, against an
independent computation from the FollowUp rows on a random set, and for visibility."""

from __future__ import annotations

import numpy as np
import pytest
from django.contrib.auth import get_user_model

from drugscene.accounts.access import ANONYMOUS, viewer_for
from drugscene.accounts.models import Organisation, OrganisationKind
from drugscene.actions.models import Action, FollowUp
from drugscene.evidence import selectors
from drugscene.evidence.selectors import city_results
from drugscene.places.models import Place
from tests import factories
from tests.evidence.helpers import action, follow_up

pytestmark = pytest.mark.django_db


def coordinator(world):
    return world.viewer("municipality_coordinator")


def test_hand_computed(world) -> None:
    # 1: fell (SM < 0), WDQ +0.4 -> diffusion; came back at 3 months
    a1 = action(world, title="A1")
    follow_up(a1, "end", counts=(40, 20, 100, 100), rr=0.5, wdq=0.4)
    follow_up(a1, "m3", counts=(40, 30, 100, 100), rr=0.75, wdq=0.1, came_back=True)
    # 2: fell, WDQ -0.3 -> displacement; checked at 3 months, did not come back
    a2 = action(world, title="A2")
    follow_up(a2, "end", counts=(50, 40, 100, 100), rr=0.8, wdq=-0.3)
    follow_up(a2, "m3", counts=(50, 45, 100, 100), rr=0.9, came_back=False)
    # 3: rose (SM > 0): the WDQ of 0.5 is not read; not checked for a return
    a3 = action(world, title="A3")
    follow_up(a3, "end", counts=(50, 60, 100, 100), rr=1.2, wdq=0.5)
    # 4: the end follow-up failed (no figures); the 3-month one has them: WDQ 0.05 -> neither
    a4 = action(world, title="A4")
    follow_up(a4, "end", counts=None, rr=None)
    follow_up(a4, "m3", counts=(30, 20, 100, 100), rr=0.6, wdq=0.05)
    # 5: only pending follow-ups: counted as an action, not as evaluated
    a5 = action(world, title="A5")
    follow_up(a5, "end", computed=False, counts=None, rr=None)
    # not counted: cancelled, another kind
    follow_up(action(world, title="Cancelled", status="cancelled"), "end", rr=0.1, wdq=0.9)
    follow_up(action(world, "lighting", title="Light"), "end", rr=0.2, wdq=0.9)

    r = city_results(world.city, "hotspot_patrol", coordinator(world))
    assert r.actions == 5
    assert r.evaluated == 4
    assert sorted(r.rate_ratios) == [0.5, 0.6, 0.8, 1.2]
    assert r.median_rr == pytest.approx(0.7)  # (0.6 + 0.8) / 2
    assert (r.min_rr, r.max_rr) == (0.5, 1.2)
    assert (r.diffusion, r.displacement, r.neither, r.no_gain) == (1, 1, 1, 1)
    assert (r.came_back, r.checked_came_back) == (1, 2)
    by_title = {row.action.title: row for row in r.rows}
    assert by_title["A4"].milestone == "m3"
    assert by_title["A3"].came_back is None


def test_no_actions(world) -> None:
    r = city_results(world.city, "lighting", coordinator(world))
    assert (r.actions, r.evaluated, r.median_rr, r.min_rr) == (0, 0, None, None)


def reference(city_id: int, kind: str, visible_ids: set[int]) -> dict:
    """The same figures computed independently from the FollowUp table."""
    rows = (FollowUp.objects.filter(action__city_id=city_id, action__kind=kind,
                                    action_id__in=visible_ids)
            .exclude(action__status="cancelled")
            .values("action_id", "due_date", "id", "computed_at", "target_before",
                    "target_after", "control_before", "control_after", "rate_ratio", "wdq",
                    "came_back"))
    per_action: dict[int, list[dict]] = {}
    for row in rows:
        per_action.setdefault(row["action_id"], []).append(row)
    rrs, readings, came, checked = [], [], 0, 0
    for fus in per_action.values():
        done = sorted((f for f in fus if f["computed_at"] is not None),
                      key=lambda f: (f["due_date"], f["id"]))
        first = [f for f in done if f["target_before"] is not None]
        if not first:
            continue
        f = first[0]
        if f["rate_ratio"] is not None:
            rrs.append(f["rate_ratio"])
        gain = (f["target_after"] * f["control_before"]
                < f["target_before"] * f["control_after"])  # SM < 0 without division
        if not gain:
            readings.append("no_gain")
        elif f["wdq"] is None:
            readings.append("not_read")
        else:
            readings.append("diffusion" if f["wdq"] > 0.1 else
                            "displacement" if f["wdq"] < -0.1 else "neither")
        flags = [x["came_back"] for x in done if x["came_back"] is not None]
        checked += bool(flags)
        came += any(flags)
    return {"evaluated": len(readings), "median": float(np.median(rrs)) if rrs else None,
            "min": min(rrs, default=None), "max": max(rrs, default=None),
            "readings": sorted(readings), "came": came, "checked": checked}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_against_independent_computation(world, seed) -> None:
    rng = np.random.default_rng(seed)
    milestones = ["end", "m3", "m6", "m12"]
    for i in range(18):
        a = action(world, str(rng.choice(["hotspot_patrol", "cameras"])), title=f"A{i}",
                   status=str(rng.choice(["done", "ongoing", "cancelled"], p=[.6, .3, .1])))
        for m in milestones[: int(rng.integers(0, 5))]:
            computed = bool(rng.random() < 0.85)
            has = computed and bool(rng.random() < 0.85)
            counts = tuple(int(x) for x in rng.integers(1, 80, size=4)) if has else None
            follow_up(a, m, computed=computed, counts=counts,
                      rr=round(float(rng.uniform(0.2, 2.0)), 3) if has and rng.random() < .9
                      else None,
                      wdq=round(float(rng.uniform(-1.5, 1.5)), 3) if has else None,
                      came_back=bool(rng.random() < .5) if has and m != "end" else None)
    ids = set(Action.objects.values_list("pk", flat=True))
    for kind in ("hotspot_patrol", "cameras"):
        want = reference(world.city.pk, kind, ids)
        got = city_results(world.city, kind, coordinator(world))
        assert got.evaluated == want["evaluated"]
        assert got.median_rr == (pytest.approx(want["median"]) if want["median"] is not None
                                 else None)
        assert (got.min_rr, got.max_rr) == (want["min"], want["max"])
        assert sorted(r.reading for r in got.rows) == want["readings"]
        assert (got.came_back, got.checked_came_back) == (want["came"], want["checked"])


def test_only_actions_the_viewer_may_see(world) -> None:
    follow_up(action(world, title="Ours"), "end", rr=0.5, wdq=0.4)
    other = factories.make_city("annanstad")
    org = Organisation.objects.create(city=other, slug="polis", name="Polis",
                                      kind=OrganisationKind.POLICE)
    factories.make_user("annan_analyst", org, "analyst")
    place = Place.objects.create(city=other, slug="torg", name="Torg", place_type="square",
                                 lon=16.9, lat=59.0, owner_kind="municipal")
    follow_up(action(world, title="Theirs", city=other, owner=org, place=place), "end",
              rr=2.0, wdq=-0.5)
    theirs = viewer_for(get_user_model().objects.get(username="annan_analyst"))
    # a member of another city sees none of our actions, and we see none of theirs
    assert city_results(world.city, "hotspot_patrol", theirs).evaluated == 0
    assert city_results(other, "hotspot_patrol", theirs).rate_ratios == [2.0]
    assert city_results(world.city, "hotspot_patrol", coordinator(world)).rate_ratios == [0.5]
    assert city_results(world.city, "hotspot_patrol", world.viewer("outsider")).actions == 0
    assert city_results(world.city, "hotspot_patrol", ANONYMOUS).actions == 0


def test_a_restricted_action_does_not_count(world, monkeypatch) -> None:
    """Whatever the visibility rule hides from a viewer is left out of the figures."""
    follow_up(action(world, title="Open"), "end", rr=0.5, wdq=0.4)
    hidden = action(world, title="Hidden")
    follow_up(hidden, "end", rr=0.9, wdq=-0.4)
    real = selectors.visible_actions

    def restricted(viewer, *, city_id=None):
        qs = real(viewer, city_id=city_id)
        return qs.exclude(pk=hidden.pk) if viewer.username == "social_viewer" else qs

    monkeypatch.setattr(selectors, "visible_actions", restricted)
    seen = city_results(world.city, "hotspot_patrol", world.viewer("social_viewer"))
    assert (seen.actions, seen.rate_ratios, seen.displacement) == (1, [0.5], 0)
    full = city_results(world.city, "hotspot_patrol", world.viewer("police_viewer"))
    assert (full.actions, sorted(full.rate_ratios), full.displacement) == (2, [0.5, 0.9], 1)

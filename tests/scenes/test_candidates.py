"""Candidate scenes: emerging hot spots of drug reports that belong to no registered place,
proposed to the coordinator (accept → a suspected place, dismiss with a reason)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.urls import reverse

from drugscene.audit.models import AuditEntry
from drugscene.core.errors import PermissionDenied, ValidationFailed
from drugscene.geo import h3grid
from drugscene.places.models import Place, PlaceStatus
from drugscene.reports.models import Category, Report
from drugscene.scenes.candidates import (
    accept_candidate,
    dismiss_candidate,
    distance_m,
    refresh_candidates,
)
from drugscene.scenes.models import CandidateScene, CandidateStatus

from .conftest import offset

pytestmark = pytest.mark.django_db

TODAY = datetime.now(ZoneInfo("Europe/Stockholm")).date()  # the city's today
TORGET = (16.895, 59.0)
RISING = offset(*TORGET, east_m=600)          # the new scene, ~600 m east of Torget
COORD = "municipality_coordinator"
SPREAD = 0.0015                                 # a scene spans a few cells (~90 m s.d.)


def _reports(world, where, per_day, first: date, last: date, rng, *, jitter=0.0002,
             cat="open_sale") -> list[Report]:
    """Reports around ``where`` from ``first`` to ``last``; ``per_day`` may be a function
    of the day's index (a growing scene)."""
    category = Category.objects.get(city=world.city, slug=cat)
    out, day, i = [], first, 0
    while day < last:
        rate = per_day(i) if callable(per_day) else per_day
        for _ in range(rng.poisson(rate)):
            t = datetime(day.year, day.month, day.day, int(rng.integers(0, 24)), tzinfo=UTC)
            lon = where[0] + rng.normal(0, jitter)
            lat = where[1] + rng.normal(0, jitter / 2)
            out.append(Report(city=world.city, occurred_from=t, reported_at=t, lon=lon,
                              lat=lat, h3_cell=h3grid.cell_of(lon, lat), category=category,
                              source=world.orgs["police"], review_status="confirmed"))
        day += timedelta(days=1)
        i += 1
    return out


def _noise(world, n, first: date, last: date, rng) -> list[Report]:
    category = Category.objects.get(city=world.city, slug="open_use")
    span = (last - first).days
    out = []
    for _ in range(n):
        lon, lat = rng.uniform(16.881, 16.919), rng.uniform(58.991, 59.009)
        day = first + timedelta(days=int(rng.integers(0, span)))
        t = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        out.append(Report(city=world.city, occurred_from=t, reported_at=t, lon=lon, lat=lat,
                          h3_cell=h3grid.cell_of(lon, lat), category=category,
                          source=world.orgs["housing"], review_status="new"))
    return out


@pytest.fixture
def scene(world):
    """A year of noise, a steady scene at Torget and a scene rising 600 m east of it in
    the last 12 weeks."""
    rng = np.random.default_rng(7)
    year_ago, end = TODAY - timedelta(weeks=52), TODAY + timedelta(days=1)
    rows = _noise(world, 400, year_ago, end, rng)
    rows += _reports(world, TORGET, 1.5, year_ago, end, rng)
    rows += _reports(world, RISING, lambda i: 0.5 + i * 0.06, TODAY - timedelta(weeks=12),
                     end, rng, jitter=SPREAD)
    Report.objects.bulk_create(rows)
    return world


def _near(cands, where, metres=250):
    return [c for c in cands if distance_m(c.lon, c.lat, *where) <= metres]


def test_rising_scene_is_proposed_and_torget_is_not(scene):
    cands = refresh_candidates(scene.city, today=TODAY)
    assert _near(cands, RISING), [(c.cell, c.category_code) for c in cands]
    assert not _near(cands, TORGET, 300)
    hit = _near(cands, RISING)[0]
    assert hit.status == CandidateStatus.OPEN
    assert hit.category_code in {"new_hot", "consecutive_hot", "intensifying_hot",
                                 "persistent_hot"}
    assert hit.reports > 10 and hit.period_end == TODAY
    # refreshing again updates in place instead of duplicating
    again = refresh_candidates(scene.city, today=TODAY)
    assert {c.pk for c in again} == {c.pk for c in cands}
    assert CandidateScene.objects.filter(city=scene.city, status="open").count() == len(cands)


def test_moved_from_names_a_fading_place_nearby(world):
    rng = np.random.default_rng(11)
    year_ago, end = TODAY - timedelta(weeks=52), TODAY + timedelta(days=1)
    rows = _noise(world, 300, year_ago, end, rng)
    rows += _reports(world, TORGET, 2.0, year_ago, TODAY - timedelta(weeks=4), rng)
    rows += _reports(world, RISING, 3.0, TODAY - timedelta(weeks=8), end, rng,
                     jitter=SPREAD)
    Report.objects.bulk_create(rows)
    hit = _near(refresh_candidates(world.city, today=TODAY), RISING)
    assert hit and hit[0].moved_from == world.place


def test_accept_creates_a_suspected_place(scene):
    cand = _near(refresh_candidates(scene.city, today=TODAY), RISING)[0]
    place = accept_candidate(scene.viewer(COORD), cand.pk, "Parkgatan", "park")
    cand.refresh_from_db()
    assert cand.status == CandidateStatus.ACCEPTED and cand.place == place
    assert cand.decided_by == scene.users[COORD] and cand.decided_at
    assert Place.objects.get(pk=place.pk).status == PlaceStatus.SUSPECTED
    assert (place.lon, place.lat) == (cand.lon, cand.lat)
    assert AuditEntry.objects.filter(object_type="scenes.candidatescene",
                                     object_id=str(cand.pk)).exists()
    # the cell now belongs to a place: not proposed again
    assert not _near(refresh_candidates(scene.city, today=TODAY), RISING)
    with pytest.raises(ValidationFailed) as exc:
        accept_candidate(scene.viewer(COORD), cand.pk, "Again", "park")
    assert "status" in exc.value.errors


def test_accept_names_bad_fields(scene):
    cand = _near(refresh_candidates(scene.city, today=TODAY), RISING)[0]
    with pytest.raises(ValidationFailed) as exc:
        accept_candidate(scene.viewer(COORD), cand.pk, "", "no-such-type")
    assert {"name", "place_type"} <= set(exc.value.errors)
    cand.refresh_from_db()
    assert cand.status == CandidateStatus.OPEN


def test_dismiss_needs_a_reason_and_is_not_reproposed(scene):
    cand = _near(refresh_candidates(scene.city, today=TODAY), RISING)[0]
    with pytest.raises(ValidationFailed) as exc:
        dismiss_candidate(scene.viewer(COORD), cand.pk, "  ")
    assert "reason" in exc.value.errors
    dismiss_candidate(scene.viewer(COORD), cand.pk,
                      "Bus stop crowd, call 070-123 45 67 for details")
    cand.refresh_from_db()
    assert cand.status == CandidateStatus.DISMISSED
    assert "070-123 45 67" not in cand.reason and cand.reason
    again = refresh_candidates(scene.city, today=TODAY)
    assert all(c.cell != cand.cell for c in again)


def test_only_coordinators_decide(scene):
    cand = _near(refresh_candidates(scene.city, today=TODAY), RISING)[0]
    with pytest.raises(PermissionDenied):
        dismiss_candidate(scene.viewer("police_reporter"), cand.pk, "no")
    with pytest.raises(PermissionDenied):
        accept_candidate(scene.viewer("police_analyst"), cand.pk, "X", "park")


def test_pages(scene, as_user, client):
    cand = _near(refresh_candidates(scene.city, today=TODAY), RISING)[0]
    url = reverse("scenes:candidates")
    accept = reverse("scenes:candidate-accept", args=[cand.pk])
    dismiss = reverse("scenes:candidate-dismiss", args=[cand.pk])

    viewer = as_user("police_viewer")
    page = viewer.get(url)
    assert page.status_code == 200
    assert "Look for candidates now" not in page.content.decode()
    assert viewer.post(url).status_code == 403
    assert viewer.post(accept, {"name": "X", "place_type": "park"}).status_code == 403
    assert viewer.post(dismiss, {"reason": "no"}).status_code == 403

    coord = as_user(COORD)
    page = coord.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Look for candidates now" in body and f"candidate-{cand.pk}" in body
    assert reverse("scenes:candidates") in coord.get(reverse("scenes:place-list")).content.decode()
    assert coord.post(url).status_code == 302
    cand = _near(CandidateScene.objects.filter(status="open"), RISING)[0]
    dismiss = reverse("scenes:candidate-dismiss", args=[cand.pk])
    assert coord.post(dismiss, {"reason": ""}).status_code == 422
    assert coord.post(dismiss, {"reason": "Known event"}).status_code == 302
    cand.refresh_from_db()
    assert cand.status == CandidateStatus.DISMISSED

"""Automatic follow-ups of an action: displacement into the surroundings and the return."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from drugscene.actions.models import Action, FollowUp
from drugscene.actions.services import schedule_follow_ups
from drugscene.audit.models import AuditEntry
from drugscene.evaluation.services import compute_due
from drugscene.geo import h3grid
from drugscene.reports.models import Category, Report

START, END = date(2026, 3, 2), date(2026, 5, 1)  # 60 days of action
TORGET = (16.895, 59.0)
NEXT_DOOR = (16.895 + 0.0052, 59.0)  # ~300 m east
CONTROL = (16.915, 59.006)


def _reports(world, where, per_day: float, first: date, last: date, rng) -> list[Report]:
    cat = Category.objects.get(city=world.city, slug="open_sale")
    out = []
    day = first
    while day < last:
        for _ in range(rng.poisson(per_day)):
            t = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
            lon, lat = where[0] + rng.normal(0, 0.0002), where[1] + rng.normal(0, 0.0001)
            out.append(Report(city=world.city, occurred_from=t, reported_at=t, lon=lon, lat=lat,
                              h3_cell=h3grid.cell_of(lon, lat), category=cat,
                              source=world.orgs["police"], review_status="confirmed"))
        day += timedelta(days=1)
    return out


@pytest.fixture
def action(world):
    rng = np.random.default_rng(3)
    before, after_end = START - timedelta(days=60), END + timedelta(days=95)
    rows = []
    rows += _reports(world, TORGET, 4.0, before, START, rng)        # before: busy
    rows += _reports(world, TORGET, 1.0, START, END, rng)           # during: quiet
    rows += _reports(world, NEXT_DOOR, 2.5, START, END, rng)        # ... it moved next door
    rows += _reports(world, TORGET, 4.0, END, after_end, rng)       # after: back again
    rows += _reports(world, CONTROL, 3.0, before, after_end, rng)   # the rest of the city
    Report.objects.bulk_create(rows)
    a = Action.objects.create(city=world.city, place=world.place, owner=world.orgs["police"],
                              kind="cameras", title="Kameror", start=START, end=END,
                              status="done")
    schedule_follow_ups(a)
    return a


def test_follow_ups_show_displacement_then_the_return(world, action) -> None:
    done, failed = compute_due(END + timedelta(days=95))
    assert (done, failed) == (2, 0)  # the end and +3 months; +6 and +12 are not due
    end = FollowUp.objects.get(action=action, milestone="end")
    assert end.target_after < end.target_before
    assert end.buffer_after > end.buffer_before
    assert end.wdq is not None and end.wdq < 0, end.verdict
    assert "displacement" in end.verdict
    assert end.rate_ratio < 1 and end.rr_high < 1
    m3 = FollowUp.objects.get(action=action, milestone="m3")
    assert m3.came_back is True, m3.verdict
    assert FollowUp.objects.filter(action=action, computed_at__isnull=True).count() == 2
    assert AuditEntry.objects.filter(action="follow_up").count() == 2


def test_restricted_reports_never_enter_stored_figures(world, action) -> None:
    Report.objects.filter(city=world.city).update(visibility="restricted")
    compute_due(END + timedelta(days=95))
    end = FollowUp.objects.get(action=action, milestone="end")
    assert end.target_before is None and "No drug-related reports" in end.verdict

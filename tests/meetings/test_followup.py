"""``priorities_followed_up``: was last week's priority list acted on, and what changed?"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import h3
import pytest
from django.utils import timezone

from drugscene.actions import services as action_services
from drugscene.core import weeks
from drugscene.meetings import services
from drugscene.meetings.selectors import priorities_followed_up
from drugscene.meetings.services import MeetingInput, PriorityInput
from drugscene.reports import services as report_services
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")
# A point in the east district, far (> 100 m) from Torget (16.895, 59.0, west district).
ELSEWHERE = {"lon": 16.915, "lat": 59.005}


@pytest.fixture
def week():
    """A complete week in the past (two weeks ago) — the week the priorities were for."""
    return weeks.shift(weeks.of_date(timezone.localdate(timezone=TZ)), -2)


def at(week: str, day: int = 2, hour: int = 20) -> datetime:
    """A moment in ``week`` (day 0 = Monday), local time."""
    return datetime.combine(weeks.monday(week) + timedelta(days=day), time(hour), tzinfo=TZ)


def prioritise(world, week: str, org: str = "police", **target):
    """The meeting of the week before sets a priority for ``week``."""
    coordinator = world.viewer("municipality_coordinator")
    m = services.save_meeting(coordinator, world.city,
                              MeetingInput(iso_week=weeks.previous(week)))
    target = target or {"place_id": world.place.pk}
    return services.add_priority(coordinator, m.pk, PriorityInput(
        organisation_id=world.orgs[org].pk, what="Närvaro", **target))


def action(world, week: str, org: str = "police", status: str = "done", **kw):
    start, end = weeks.dates(week)
    data = {"owner_id": world.orgs[org].pk, "kind": "police_presence", "title": "Närvaro",
            "start": start, "end": end, "place_id": world.place.pk, "status": status}
    data.update(kw)
    return action_services.create_action(world.viewer("municipality_coordinator"), world.city,
                                         action_services.ActionInput(**data))


def follow(world, week, viewer="municipality_viewer"):
    return priorities_followed_up(world.viewer(viewer), world.city, week)


def test_nothing_prioritised_nothing_to_follow(world, week):
    assert follow(world, week) == []


def test_acted_on_by_own_reports_at_the_place(world, week):
    prioritise(world, week)
    factories.report(world, by="police_reporter", occurred_from=at(week))
    factories.report(world, by="police_reporter", occurred_from=at(week, 4),
                     place_id=world.place.pk, lon=None, lat=None)
    factories.report(world, by="social_reporter", occurred_from=at(week, 5))
    factories.report(world, by="social_reporter", occurred_from=at(weeks.previous(week)))
    factories.report(world, by="police_reporter", occurred_from=at(week), **ELSEWHERE)
    [f] = follow(world, week)
    assert f.acted_on
    assert (f.own_reports, f.reports, f.reports_before, f.change) == (2, 3, 1, 2)
    assert f.change_pct == 200.0


def test_not_acted_on_when_only_others_reported(world, week):
    prioritise(world, week)
    factories.report(world, by="social_reporter", occurred_from=at(week))
    factories.report(world, by="police_reporter", occurred_from=at(week), **ELSEWHERE)
    factories.report(world, by="police_reporter", occurred_from=at(weeks.following(week), 0, 1))
    [f] = follow(world, week)
    assert not f.acted_on
    assert (f.own_reports, f.reports, f.reports_before) == (0, 1, 0)
    assert f.change_pct is None


def test_week_boundaries_are_local_midnight(world, week):
    prioritise(world, week)
    first = weeks.monday(week)
    factories.report(world, occurred_from=datetime.combine(first, time(0, 0), tzinfo=TZ))
    factories.report(world, occurred_from=datetime.combine(first, time(0, 0), tzinfo=TZ)
                     - timedelta(minutes=1))
    [f] = follow(world, week)
    assert (f.reports, f.reports_before) == (1, 1)


def test_acted_on_by_own_action_and_others_listed(world, week):
    prioritise(world, week)
    mine = action(world, week)
    theirs = action(world, week, org="housing", kind="lighting", title="Belysning")
    action(world, week, status="cancelled", title="Inställd")
    action(world, weeks.shift(week, -3), title="För tidigt",
           end=weeks.dates(weeks.shift(week, -2))[1])
    [f] = follow(world, week)
    assert f.acted_on and f.own_reports == 0
    assert f.own_actions == [mine]
    assert f.other_actions == [theirs]


def test_open_ended_action_that_started_before_counts(world, week):
    prioritise(world, week)
    started = weeks.dates(weeks.shift(week, -5))[0]
    a = action(world, week, status="ongoing", start=started, end=None)
    [f] = follow(world, week)
    assert f.own_actions == [a]


def test_rejected_and_duplicate_reports_do_not_count(world, week):
    prioritise(world, week)
    r1 = factories.report(world, occurred_from=at(week))
    r2 = factories.report(world, occurred_from=at(week))
    coordinator = world.viewer("municipality_coordinator")
    report_services.review_report(coordinator, r1.pk, "rejected")
    report_services.review_report(coordinator, r2.pk, "duplicate",
                                  duplicate_of=factories.report(world).pk)
    [f] = follow(world, week)
    assert (f.own_reports, f.reports) == (0, 0) and not f.acted_on


def test_counts_respect_what_the_viewer_may_see(world, week):
    prioritise(world, week)
    factories.report(world, by="police_reporter", occurred_from=at(week),
                     visibility="restricted", restricted_to=[world.orgs["police"].pk])
    assert follow(world, week, "police_viewer")[0].own_reports == 1
    municipality_view = follow(world, week, "municipality_viewer")[0]
    assert (municipality_view.own_reports, municipality_view.reports) == (0, 0)


def test_district_target(world, week):
    prioritise(world, week, org="social", area_id=world.place.area_id)
    factories.report(world, by="social_reporter", occurred_from=at(week), lon=16.885, lat=59.0)
    factories.report(world, by="social_reporter", occurred_from=at(week), **ELSEWHERE)
    a = action(world, week, org="social", kind="social_outreach", place_id=None,
               area_id=world.place.area_id, title="Uppsökande")
    [f] = follow(world, week)
    assert f.own_reports == 1 and f.own_actions == [a]


def test_hot_spot_cell_target(world, week):
    cell = h3.latlng_to_cell(59.0, 16.895, 10)
    prioritise(world, week, h3_cell=cell)
    factories.report(world, occurred_from=at(week))                      # in the cell
    factories.report(world, occurred_from=at(week), **ELSEWHERE)         # not in it
    lat, lon = h3.cell_to_latlng(h3.cell_to_children(cell, 12)[0])
    factories.report(world, occurred_from=at(weeks.previous(week)), lon=lon, lat=lat)
    a = action(world, week)  # Torget lies in the cell
    [f] = follow(world, week)
    assert (f.own_reports, f.reports, f.reports_before) == (1, 1, 1)
    assert f.own_actions == [a]


def test_each_priority_followed_separately(world, week):
    prioritise(world, week, org="police")
    prioritise(world, week, org="housing", area_id=world.place.area_id)
    factories.report(world, by="housing_reporter", occurred_from=at(week), lon=16.885, lat=59.0)
    result = {f.priority.organisation.slug: f for f in follow(world, week)}
    assert not result["police"].acted_on
    assert result["housing"].acted_on


def test_invalid_week_is_a_validation_error(world):
    from drugscene.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        follow(world, "2025-W53")

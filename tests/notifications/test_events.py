"""Actions due and overdue, follow-ups due, "came back", safety-walk tasks and the weekly
digest: each reaches exactly the users it is for, by their role's defaults, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from drugscene.actions.models import Action, FollowUp
from drugscene.notifications import events
from drugscene.notifications.models import Delivery, EventKind, Notification
from drugscene.walks.models import Finding, SafetyWalk
from tests import factories
from tests.notifications.helpers import WEDNESDAY, prefer, run, subscribe, told

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)  # WEDNESDAY in Stockholm
LEADS = sorted(f"{org}_{role}" for org in ("municipality", "police", "housing", "social")
               for role in ("coordinator", "admin"))


def action(world, owner="housing", **kw) -> Action:
    data = {"kind": "lighting", "title": "Belysning", "status": "planned",
            "start": TODAY + timedelta(days=3)}
    data.update(kw)
    return Action.objects.create(city=world.city, place=world.place,
                                 owner=world.orgs[owner], **data)


def test_action_due_reaches_the_owner_and_the_coordinators_by_role(world) -> None:
    a = action(world)
    run()
    # owner's members except the analyst (analysts do not get deadlines by default), and
    # every coordinator and administrator of the city
    expected = sorted(LEADS + ["housing_reporter", "housing_viewer"])
    assert told(EventKind.ACTION_DUE) == expected
    n = Notification.objects.filter(kind=EventKind.ACTION_DUE).first()
    assert n.object_id == a.pk and n.params["date"] == "2026-11-28"
    assert n.params["flag"] == "due" and n.params["where"] == "Torget"
    run()
    assert told(EventKind.ACTION_DUE) == expected
    assert told(EventKind.ACTION_OVERDUE) == []


def test_overdue_and_a_moved_date_are_new_events(world) -> None:
    a = action(world, start=TODAY - timedelta(days=2))
    run()
    assert len(told(EventKind.ACTION_OVERDUE)) == len(LEADS) + 2
    a.start = TODAY - timedelta(days=1)
    a.save()
    run()
    assert len(told(EventKind.ACTION_OVERDUE)) == 2 * (len(LEADS) + 2)
    ongoing = action(world, status="ongoing", start=TODAY - timedelta(days=30),
                     end=TODAY - timedelta(days=1), owner="police")
    run()
    flags = set(Notification.objects.filter(kind=EventKind.ACTION_OVERDUE, object_id=ongoing.pk)
                .values_list("params__flag", flat=True))
    assert flags == {"end"}


def test_done_and_far_actions_are_quiet(world) -> None:
    action(world, start=TODAY + timedelta(days=60))
    action(world, status="done", start=TODAY - timedelta(days=60),
           end=TODAY - timedelta(days=5))
    run()
    assert not Notification.objects.filter(kind__in=[EventKind.ACTION_DUE,
                                                     EventKind.ACTION_OVERDUE]).exists()


def test_follow_up_due(world) -> None:
    a = action(world, status="done", start=TODAY - timedelta(days=90),
               end=TODAY - timedelta(days=30))
    fu = FollowUp.objects.create(action=a, milestone="end", due_date=TODAY - timedelta(days=1))
    FollowUp.objects.create(action=a, milestone="m3", due_date=TODAY - timedelta(days=40))
    run()
    # leads (both) and the owner's analyst (in the app); reporters and viewers: not by default
    assert told(EventKind.FOLLOW_UP_DUE) == sorted(LEADS + ["housing_analyst"])
    assert set(Notification.objects.filter(kind=EventKind.FOLLOW_UP_DUE)
               .values_list("object_id", flat=True)) == {fu.pk}


def _came_back(world, *, back=True, computed=WEDNESDAY - timedelta(days=1)) -> FollowUp:
    a = action(world, owner="municipality", status="done", start=TODAY - timedelta(days=300),
               end=TODAY - timedelta(days=200))
    FollowUp.objects.create(action=a, milestone="m3", due_date=TODAY - timedelta(days=110),
                            computed_at=computed, came_back=back)
    return FollowUp.objects.create(action=a, milestone="m6",
                                   due_date=TODAY - timedelta(days=20),
                                   computed_at=computed, came_back=back)


def test_came_back_reaches_every_member_who_wants_it(world) -> None:
    latest = _came_back(world)
    run()
    analysts = [f"{o}_analyst" for o in ("municipality", "police", "housing", "social")]
    assert told(EventKind.CAME_BACK) == sorted(LEADS + analysts)
    assert set(Notification.objects.filter(kind=EventKind.CAME_BACK)
               .values_list("object_id", flat=True)) == {latest.pk}
    assert "outsider" not in told(EventKind.CAME_BACK)


def test_came_back_not_when_the_latest_follow_up_says_no_or_is_old(world) -> None:
    fu = _came_back(world)
    fu.came_back = False
    fu.save()
    _came_back(world, computed=WEDNESDAY - timedelta(days=events.LOOKBACK_DAYS + 1))
    run()
    assert told(EventKind.CAME_BACK) == []


def test_walk_task_goes_to_the_responsible_organisation(world) -> None:
    walk = SafetyWalk.objects.create(city=world.city, date=TODAY,
                                     area=world.city.areas.get(slug="west"))
    f = Finding.objects.create(walk=walk, kind="broken_light", lon=16.895, lat=59.0,
                               note="Lampan vid porten", owner=world.orgs["housing"],
                               due=TODAY + timedelta(days=10))
    Finding.objects.create(walk=walk, kind="litter", lon=16.895, lat=59.0,
                           owner=world.orgs["police"], status="done")
    run()
    assert told(EventKind.WALK_TASK) == sorted(f"housing_{r}" for r in
                                               ("viewer", "reporter", "analyst",
                                                "coordinator", "admin"))
    # reassigned to the police: their members hear of it, the housing members not again
    f.owner = world.orgs["police"]
    f.save()
    run()
    assert len(told(EventKind.WALK_TASK)) == 10
    assert all("Lampan" not in str(p) for p in Notification.objects.values_list("params",
                                                                              flat=True))


# --- digest ----------------------------------------------------------------------------

MONDAY_EARLY = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)   # 06:30 in Stockholm
MONDAY_MORNING = datetime(2026, 11, 30, 6, 30, tzinfo=UTC)  # 07:30 in Stockholm


def test_digest_week_starts_monday_morning_in_the_city_time_zone(world) -> None:
    assert events.digest_week(world.city, MONDAY_EARLY) == (date(2026, 11, 16),
                                                           date(2026, 11, 23))
    assert events.digest_week(world.city, MONDAY_MORNING) == (date(2026, 11, 23),
                                                             date(2026, 11, 30))


def test_digest_content_and_once_per_week(world) -> None:
    user = world.users["municipality_coordinator"]
    user.email = "c@example.org"
    user.save()
    for name in [n for n in world.users if n != "municipality_coordinator"]:
        prefer(world, name, "viewer", digest=Delivery.NONE)
    prefer(world, "municipality_coordinator", "coordinator", language="en")
    subscribe(world, "municipality_coordinator", area="east")
    in_week = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    before = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    for when, lon in ((in_week, 16.91), (in_week, 16.895), (before, 16.91)):
        r = factories.report(world, by="police_reporter", lon=lon, lat=59.0)
        type(r).objects.filter(pk=r.pk).update(reported_at=when, occurred_from=when)
    action(world, start=date(2026, 11, 28))                      # overdue on 30 Nov
    action(world, start=date(2026, 12, 5))                       # due within two weeks
    _came_back(world, computed=datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    mail.outbox.clear()
    run(MONDAY_MORNING)
    n = Notification.objects.get(kind=EventKind.DIGEST)
    assert n.occasion == "2026-W48"
    p = n.params
    assert (p["new_reports"], p["in_areas"]) == (2, 1)
    assert (p["actions_overdue"], p["actions_due"]) == (1, 1)
    assert (p["follow_ups"], p["came_back"], p["came_back_places"]) == (2, 2, ["Torget"])
    digests = [m for m in mail.outbox if m.to == ["c@example.org"] and "digest" in m.subject]
    assert len(digests) == 1
    body = digests[0].body
    assert "2 new reports you may see" in body and "1 of them in your areas" in body
    run(MONDAY_MORNING + timedelta(days=2))
    assert Notification.objects.filter(kind=EventKind.DIGEST).count() == 1

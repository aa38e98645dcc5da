"""New reports in a user's areas: exactly the users who follow the area and may see the
report, once, whatever the worker does."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from drugscene.notifications import delivery, events, jobs
from drugscene.notifications.models import (
    Cursor,
    Delivery,
    EmailStatus,
    EventKind,
    Notification,
)
from tests import factories
from tests.notifications.helpers import prefer, run, subscribe, told

pytestmark = pytest.mark.django_db
NEW = EventKind.NEW_REPORT
# about 100 m and 300 m north of the world's place Torget (16.895, 59.0)
NEAR, FAR = 59.0009, 59.0027


def test_first_pass_only_sets_the_cursor(world) -> None:
    subscribe(world, "housing_reporter", area="west")
    old = factories.report(world, by="police_reporter")
    run()
    assert Cursor.objects.get(city=world.city, name="reports").position == old.pk
    assert told(NEW) == []


def test_visibility_matrix_restricted_report_reaches_only_the_named_organisation(world):
    for name in ("housing_reporter", "police_analyst", "municipality_coordinator",
                 "social_viewer"):
        subscribe(world, name, area="west")
    run()  # cursor
    shared = factories.report(world, by="municipality_reporter")
    secret = factories.report(world, by="municipality_reporter", visibility="restricted",
                              restricted_to=[world.orgs["police"].pk])
    run()
    assert told(NEW, object_id=shared.pk) == ["housing_reporter", "municipality_coordinator",
                                             "police_analyst", "social_viewer"]
    # the municipality made it, so its coordinator sees it too; of the others only police
    assert told(NEW, object_id=secret.pk) == ["municipality_coordinator", "police_analyst"]
    police_only = factories.report(world, by="police_reporter", visibility="restricted",
                                   restricted_to=[world.orgs["police"].pk])
    run()
    assert told(NEW, object_id=police_only.pk) == ["police_analyst"]


def test_own_reports_and_other_areas_are_not_announced(world) -> None:
    subscribe(world, "police_reporter", area="west")
    subscribe(world, "housing_reporter", area="east")
    run()
    factories.report(world, by="police_reporter")  # west, the reporter's own
    east = factories.report(world, by="municipality_reporter", lon=16.91, lat=59.0)
    run()
    assert told(NEW) == ["housing_reporter"]
    assert Notification.objects.get(kind=NEW).object_id == east.pk


def test_place_and_radius_subscriptions(world) -> None:
    subscribe(world, "housing_reporter", place=world.place)
    subscribe(world, "social_reporter", place=world.place, radius_m=150)
    run()
    linked = factories.report(world, by="municipality_reporter", place_id=world.place.pk,
                              lat=FAR)
    near = factories.report(world, by="municipality_reporter", lat=NEAR)
    far = factories.report(world, by="municipality_reporter", lat=FAR)
    run()
    assert told(NEW, object_id=linked.pk) == ["housing_reporter", "social_reporter"]
    assert told(NEW, object_id=near.pk) == ["social_reporter"]
    assert told(NEW, object_id=far.pk) == []


def test_haversine_distance_against_a_hand_computed_value() -> None:
    # 0.0009° of latitude on a sphere of radius 6 371 008.8 m: 2πR·0.0009/360
    assert events.distance_m(16.895, 59.0, 16.895, 59.0009) == pytest.approx(100.0758, abs=1e-3)


def test_many_reports_at_once_become_one_summary(world) -> None:
    subscribe(world, "housing_reporter", area="west")
    run()
    n = events.SUMMARY_ABOVE + 2
    for _ in range(n):
        factories.report(world, by="police_reporter")
    run()
    rows = list(Notification.objects.filter(kind=NEW))
    assert len(rows) == 1
    assert rows[0].object_type == "report_batch" and rows[0].params == {"count": n}


def test_two_passes_and_a_crash_between_create_and_send_give_each_mail_once(world,
                                                                           monkeypatch):
    world.users["housing_reporter"].email = "h@example.org"
    world.users["housing_reporter"].save()
    prefer(world, "housing_reporter", "reporter", new_report=Delivery.BOTH)
    subscribe(world, "housing_reporter", area="west")
    run()
    report = factories.report(world, by="police_reporter")

    def crash(now=None):
        raise RuntimeError("killed between create and send")

    monkeypatch.setattr(delivery, "send_pending_emails", crash)
    with pytest.raises(RuntimeError):
        jobs.run_pass()
    n = Notification.objects.get(kind=NEW)
    assert n.email_status == EmailStatus.PENDING and mail.outbox == []
    monkeypatch.undo()
    run()
    run()
    assert Notification.objects.filter(kind=NEW).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["h@example.org"]
    assert Notification.objects.get(pk=n.pk).email_status == EmailStatus.SENT
    assert f"/reports/{report.pk}/" in mail.outbox[0].body


@pytest.mark.parametrize(("choice", "in_app", "mails"), [
    (Delivery.NONE, None, 0), (Delivery.IN_APP, True, 0), (Delivery.EMAIL, False, 1),
    (Delivery.BOTH, True, 1),
])
def test_preferences_are_respected(world, choice, in_app, mails) -> None:
    world.users["housing_reporter"].email = "h@example.org"
    world.users["housing_reporter"].save()
    prefer(world, "housing_reporter", "reporter", new_report=choice)
    subscribe(world, "housing_reporter", area="west")
    run()
    factories.report(world, by="police_reporter")
    run()
    rows = list(Notification.objects.filter(kind=NEW))
    assert [r.in_app for r in rows] == ([] if in_app is None else [in_app])
    assert len(mail.outbox) == mails


def test_no_address_is_recorded_not_retried(world) -> None:
    prefer(world, "housing_reporter", "reporter", new_report=Delivery.EMAIL)
    subscribe(world, "housing_reporter", area="west")
    run()
    factories.report(world, by="police_reporter")
    result = run()
    assert result.mail.no_address == 1
    assert Notification.objects.get(kind=NEW).email_status == EmailStatus.NO_ADDRESS


def test_email_holds_no_free_text_and_no_coordinates(world) -> None:
    world.users["housing_reporter"].email = "h@example.org"
    world.users["housing_reporter"].save()
    prefer(world, "housing_reporter", "reporter", new_report=Delivery.EMAIL)
    subscribe(world, "housing_reporter", area="west")
    run()
    factories.report(world, by="police_reporter", text="Försäljning vid bänken bakom kiosken",
                     lon=16.8951234, lat=59.0004321, place_id=world.place.pk)
    run()
    msg = mail.outbox[0]
    html = msg.alternatives[0][0]
    for part in (msg.subject, msg.body, html):
        assert "bänken" not in part and "kiosken" not in part
        assert "16.895" not in part and "59.000" not in part
    assert "Torget" in msg.body and "Väster" in msg.body
    assert "https://drugscene.example/reports/" in msg.body


def test_email_is_in_the_users_language(world) -> None:
    world.users["housing_reporter"].email = "h@example.org"
    world.users["housing_reporter"].save()
    pref = prefer(world, "housing_reporter", "reporter", new_report=Delivery.EMAIL)
    pref.language = "sv"
    pref.save()
    subscribe(world, "housing_reporter", area="west")
    run()
    factories.report(world, by="police_reporter")
    run()
    with translation.override("sv"):
        swedish = translation.gettext("Open sale")
    assert swedish != "Open sale"
    assert swedish in mail.outbox[0].body
    assert "Open sale" not in mail.outbox[0].body

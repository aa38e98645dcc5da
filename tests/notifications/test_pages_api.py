"""The inbox and settings pages (CSP-clean in English and Swedish), the nav badge and the
API: a user sees and marks only their own notifications."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from drugscene.audit.models import AuditEntry
from drugscene.notifications.models import (
    AreaSubscription,
    Delivery,
    EventKind,
    Notification,
    NotificationPreference,
)
from tests.notifications.helpers import run
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db


def notify(world, name: str, n: int = 1, **kw) -> list[Notification]:
    out = []
    for i in range(n):
        out.append(Notification.objects.create(
            user=world.users[name], city=world.city, kind=EventKind.NEW_REPORT,
            object_type="report", object_id=1000 + i + kw.pop("offset", 0),
            params={"category": "Open sale", "place": "Torget", "district": "Väster"},
            link=f"/reports/{1000 + i}/?city=testby", created_at=timezone.now(), **kw))
    return out


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_inbox_and_settings_are_csp_clean(world, as_user, lang) -> None:
    notify(world, "housing_reporter", 2)
    client = as_user("housing_reporter")
    client.cookies["django_language"] = lang
    for url in ("/notifications/", "/notifications/settings/"):
        resp = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert resp.status_code == 200
        html = resp.content.decode()
        assert f'<html lang="{lang}">' in html
        assert_csp_clean(html)
    assert "Torget" in client.get("/notifications/").content.decode()


def test_inbox_shows_only_my_in_app_notifications(world, as_user) -> None:
    mine = notify(world, "housing_reporter")[0]
    notify(world, "police_reporter", offset=50)
    notify(world, "housing_reporter", in_app=False, offset=70)
    resp = as_user("housing_reporter").get("/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    html = resp.content.decode()
    assert html.count('class="panel inbox-item') == 1
    assert f"/notifications/{mine.pk}/read/" in html


def test_mark_read_open_and_all(world, as_user) -> None:
    a, b, c = notify(world, "housing_reporter", 3)
    other = notify(world, "police_reporter", offset=50)[0]
    client = as_user("housing_reporter")
    resp = client.post(f"/notifications/{a.pk}/read/", {"open": "1"})
    assert resp.status_code == 302 and resp["Location"] == a.link
    a.refresh_from_db()
    assert a.read_at is not None
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    assert client.get(f"/notifications/{b.pk}/read/").status_code == 405
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=world.users["housing_reporter"],
                                           read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_settings_page_saves_choices_and_areas_audited(world, as_user) -> None:
    client = as_user("housing_reporter")
    west = world.city.areas.get(slug="west")
    data = dict.fromkeys(EventKind.values, Delivery.NONE)
    data.update(new_report=Delivery.BOTH, language="nl", areas=[str(west.pk)],
                places=[str(world.place.pk)], radius_place=str(world.place.pk),
                radius_m="250")
    resp = client.post("/notifications/settings/", data)
    assert resp.status_code == 302
    pref = NotificationPreference.objects.get(user=world.users["housing_reporter"])
    assert (pref.new_report, pref.digest, pref.language) == (Delivery.BOTH, Delivery.NONE, "nl")
    subs = AreaSubscription.objects.filter(user=world.users["housing_reporter"])
    assert {(s.area_id, s.place_id, s.radius_m) for s in subs} == {
        (west.pk, None, None), (None, world.place.pk, None), (None, world.place.pk, 250)}
    assert AuditEntry.objects.filter(object_type="notifications.notificationpreference",
                                     user_id=world.users["housing_reporter"].pk).exists()
    assert AuditEntry.objects.filter(action="notification_areas").exists()
    # a radius out of range is named, and nothing is half-written
    data.update(radius_m="99999", language="")
    resp = client.post("/notifications/settings/", data)
    assert resp.status_code == 422
    pref.refresh_from_db()
    assert pref.language == "nl"


def test_outsider_gets_403(world, as_user) -> None:
    assert as_user("outsider").get("/notifications/").status_code == 403


def test_badge_tag_counts_unread(world) -> None:
    notify(world, "housing_reporter", 3)
    request = RequestFactory().get("/")
    request.user = world.users["housing_reporter"]
    html = Template("{% load notification_tags %}{% notification_badge %}").render(
        Context({"request": request}))
    assert 'id="notification-badge"' in html and ">3</span>" in html
    assert "hidden" not in html
    request = RequestFactory().get("/")
    request.user = world.users["police_reporter"]
    html = Template("{% load notification_tags %}{% notification_badge %}").render(
        Context({"request": request}))
    assert " hidden" in html


def test_api_list_count_and_mark_read(world, as_user) -> None:
    a, b = notify(world, "housing_reporter", 2)
    other = notify(world, "police_reporter", offset=50)[0]
    client = as_user("housing_reporter")
    body = client.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert {r["id"] for r in body["results"]} == {a.pk, b.pk}
    first = body["results"][0]
    assert first["object"] == {"type": "report", "id": first["object"]["id"]}
    assert first["link"].startswith("https://drugscene.example/reports/")
    assert "Torget" in first["text"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    resp = client.post(f"/api/v1/notifications/{a.pk}/read")
    assert resp.status_code == 200 and resp.json()["read_at"]
    assert client.post(f"/api/v1/notifications/{other.pk}/read").status_code == 404
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 1
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert client.get("/api/v1/notifications?page_size=0").status_code == 422


def test_api_needs_authentication(client) -> None:
    assert client.get("/api/v1/notifications").status_code == 401


def test_worker_notifications_show_in_the_inbox(world, as_user) -> None:
    from tests import factories
    from tests.notifications.helpers import subscribe

    subscribe(world, "housing_reporter", area="west")
    run()
    factories.report(world, by="police_reporter", place_id=world.place.pk)
    run()
    html = as_user("housing_reporter").get("/notifications/",
                                            HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New report at Torget (Väster): Open sale." in html

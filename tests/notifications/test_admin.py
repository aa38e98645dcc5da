"""Webhooks are managed in the admin: a secret is made on creation, never written to the
audit trail; every admin page of the app opens."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from drugscene.audit.models import AuditEntry
from drugscene.notifications.models import EventKind, Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    user = get_user_model().objects.create_superuser("root", password="x" * 12)
    client.force_login(user)
    return client


def test_create_webhook_makes_a_secret_kept_out_of_the_audit(admin_client, world) -> None:
    resp = admin_client.post("/admin/notifications/webhook/add/", {
        "organisation": world.orgs["police"].pk, "name": "RAR", "url": "https://partner.example/h",
        "kinds": [EventKind.NEW_REPORT, EventKind.CAME_BACK], "active": "on",
        "deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0",
    })
    assert resp.status_code == 302, resp.content.decode()[:2000]
    hook = Webhook.objects.get()
    assert len(hook.secret) >= 40 and hook.kinds == ["new_report", "came_back"]
    entry = AuditEntry.objects.get(object_type="notifications.webhook", action="create")
    assert hook.secret not in str(entry.changes)
    assert entry.changes["secret"] == "(secret)"


def test_admin_pages_open(admin_client, world) -> None:
    hook = Webhook.objects.create(organisation=world.orgs["police"],
                                  url="https://partner.example/h", secret="k")
    for url in ("/admin/notifications/webhook/", f"/admin/notifications/webhook/{hook.pk}/change/",
                "/admin/notifications/webhookdelivery/", "/admin/notifications/notification/",
                "/admin/notifications/notificationpreference/",
                "/admin/notifications/areasubscription/"):
        assert admin_client.get(url).status_code == 200, url


def test_enable_again_resets_the_failures(admin_client, world) -> None:
    hook = Webhook.objects.create(organisation=world.orgs["police"], active=False,
                                  url="https://partner.example/h", secret="k",
                                  failure_count=20, disabled_reason="HTTP 500")
    admin_client.post("/admin/notifications/webhook/", {
        "action": "enable", "_selected_action": [hook.pk]})
    hook.refresh_from_db()
    assert hook.active and hook.failure_count == 0 and hook.disabled_reason == ""

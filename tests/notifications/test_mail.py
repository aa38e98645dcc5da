"""E-mail that cannot be sent is retried with backoff and, in the end, marked failed with
the reason (visible in the admin)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from drugscene.notifications.models import Delivery, EmailStatus, EventKind, Notification
from tests import factories
from tests.notifications.helpers import WEDNESDAY, prefer, run, subscribe

pytestmark = pytest.mark.django_db


class Refusing(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def mailing(world):
    user = world.users["housing_reporter"]
    user.email = "h@example.org"
    user.save()
    prefer(world, "housing_reporter", "reporter", new_report=Delivery.EMAIL)
    subscribe(world, "housing_reporter", area="west")
    run()
    factories.report(world, by="police_reporter")


def test_failed_mail_is_retried_with_backoff_then_given_up(world, mailing, settings) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    run(WEDNESDAY)
    n = Notification.objects.get(kind=EventKind.NEW_REPORT)
    assert (n.email_status, n.email_attempts) == (EmailStatus.PENDING, 1)
    assert n.email_next_at == WEDNESDAY + timedelta(seconds=60)
    assert "mail server down" in n.email_error
    run(WEDNESDAY + timedelta(seconds=30))
    n.refresh_from_db()
    assert n.email_attempts == 1
    run(WEDNESDAY + timedelta(seconds=60))
    n.refresh_from_db()
    assert n.email_attempts == 2 and n.email_next_at == WEDNESDAY + timedelta(seconds=180)
    run(WEDNESDAY + timedelta(seconds=180))
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts, n.email_next_at) == (EmailStatus.FAILED, 3, None)


def test_mail_server_back_sends_the_waiting_mail_once(world, mailing, settings) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"
    run(WEDNESDAY)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(WEDNESDAY + timedelta(minutes=5))
    run(WEDNESDAY + timedelta(minutes=10))
    assert len([m for m in mail.outbox if m.to == ["h@example.org"]]) == 1
    n = Notification.objects.get(kind=EventKind.NEW_REPORT)
    assert (n.email_status, n.email_attempts, n.email_error) == (EmailStatus.SENT, 2, "")

"""Done-when of issue 7: on the demo city, ``drugscene worker --once`` puts the planted
"came back" alarm (Kvarnparken) in the coordinator's inbox and prints its e-mail on the
console back-end."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from drugscene.actions.models import FollowUp
from drugscene.demo import loader, model
from drugscene.notifications.models import EmailStatus, EventKind, Notification


@pytest.fixture(scope="module")
def demo():
    return model.generate(seed=11, n_reports=6000, start="2024-06-01", days=730)


@pytest.mark.django_db
def test_worker_once_brings_the_came_back_alarm_to_the_coordinator(demo, settings,
                                                                   capsys) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    city = loader.load(demo)
    # the planted lighting project's latest follow-up found the problem back
    latest = (FollowUp.objects.filter(action__city=city, action__place__slug="kvarnparken",
                                      computed_at__isnull=False)
              .order_by("-due_date").first())
    assert latest is not None and latest.came_back is True
    out, err = io.StringIO(), io.StringIO()
    call_command("worker", "--once", stdout=out, stderr=err)
    alarms = Notification.objects.filter(kind=EventKind.CAME_BACK, city=city)
    coordinator = alarms.filter(user__username="coordinator").get()
    assert coordinator.object_type == "follow_up" and coordinator.object_id == latest.pk
    assert coordinator.in_app and coordinator.read_at is None
    assert coordinator.email_status == EmailStatus.SENT
    assert coordinator.params["where"] == "Kvarnparken"
    # the console back-end printed the e-mail, addressed to the coordinator
    printed = capsys.readouterr().out
    assert "To: coordinator@demo.invalid" in printed
    assert "Kvarnparken" in printed
    assert f"/actions/{latest.action_id}/?city=demo" in printed
    assert "follow-ups computed" in out.getvalue()
    assert "e-mails: " in out.getvalue()
    # a second pass adds nothing
    call_command("worker", "--once", stdout=io.StringIO(), stderr=io.StringIO())
    assert Notification.objects.filter(kind=EventKind.CAME_BACK, city=city,
                                       user__username="coordinator").count() == 1
    # the loaded history is not announced as new reports
    assert not Notification.objects.filter(kind=EventKind.NEW_REPORT, city=city).exists()

"""``drugscene worker --once``: follow-ups, then notifications; one job failing does not
stop the other, and --once then exits non-zero."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from drugscene.cli.management.commands import worker
from drugscene.notifications.models import Cursor


@pytest.mark.django_db
def test_once_runs_follow_ups_and_notifications(city) -> None:
    out = io.StringIO()
    call_command("worker", "--once", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "follow-ups computed: 0, not computable: 0" in text
    assert "notifications: 0 new" in text and "webhooks: 0 queued" in text
    assert Cursor.objects.filter(city=city, name="reports").exists()


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_other(city, monkeypatch) -> None:
    def broken(today=None):
        raise RuntimeError("evaluation broke")

    monkeypatch.setattr(worker, "compute_due", broken)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="follow-ups"):
        call_command("worker", "--once", stdout=out, stderr=err)
    assert "evaluation broke" in err.getvalue()
    assert "notifications: 0 new" in out.getvalue()

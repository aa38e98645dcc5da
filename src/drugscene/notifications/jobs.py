"""One pass of the notification work, as ``drugscene worker`` runs it (decision 0009):
scan every city for events, then send the e-mails and post the webhooks that are due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from drugscene.cities.models import City
from drugscene.notifications import delivery, events

SCANS = (
    ("new_report", events.scan_new_reports),
    ("actions", events.scan_actions),
    ("follow_ups", events.scan_follow_ups),
    ("came_back", events.scan_came_back),
    ("walk_tasks", events.scan_walk_tasks),
)


@dataclass
class PassResult:
    notifications: int = 0
    webhook_deliveries: int = 0
    digests: int = 0
    mail: delivery.MailResult = field(default_factory=delivery.MailResult)
    hooks: delivery.HookResult = field(default_factory=delivery.HookResult)

    def summary(self) -> str:
        return (f"notifications: {self.notifications} new, {self.digests} digests; "
                f"e-mails: {self.mail.sent} sent, {self.mail.failed} failed, "
                f"{self.mail.no_address} without address; "
                f"webhooks: {self.webhook_deliveries} queued, {self.hooks.sent} delivered, "
                f"{self.hooks.failed} failed, {self.hooks.disabled} disabled")


def scan(now: datetime | None = None) -> PassResult:
    """Store the events of every city (each scan commits on its own)."""
    now = now or timezone.now()
    result = PassResult()
    for city in City.objects.order_by("id"):
        members = events.city_members(city)
        for _name, fn in SCANS:
            made, hooks = fn(city, members, now)
            result.notifications += made
            result.webhook_deliveries += hooks
        result.digests += events.schedule_digests(city, members, now)
    return result


def run_pass(now: datetime | None = None) -> PassResult:
    """Scan, then deliver: e-mails only ever go out for committed notifications."""
    now = now or timezone.now()
    result = scan(now)
    result.mail = delivery.send_pending_emails(now)
    result.hooks = delivery.deliver_webhooks(now)
    return result

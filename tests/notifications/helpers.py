"""Helpers of the notification tests: subscribe users, set preferences, run passes."""

from __future__ import annotations

from datetime import UTC, datetime

from drugscene.notifications import jobs
from drugscene.notifications.defaults import for_role
from drugscene.notifications.models import AreaSubscription, Notification, NotificationPreference

#: a Wednesday noon (UTC): no digest is due before next Monday 07:00 Stockholm time
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def subscribe(world, name: str, *, area: str | None = None, place=None,
              radius_m: int | None = None) -> AreaSubscription:
    user = world.users[name]
    if area:
        return AreaSubscription.objects.create(user=user, city=world.city,
                                               area=world.city.areas.get(slug=area))
    return AreaSubscription.objects.create(user=user, city=world.city, place=place,
                                           radius_m=radius_m)


def prefer(world, name: str, role: str, **choices: str) -> NotificationPreference:
    values = {**for_role(role), **choices}
    pref, _ = NotificationPreference.objects.update_or_create(
        user=world.users[name], city=world.city, defaults=values)
    return pref


def run(now=WEDNESDAY):
    return jobs.run_pass(now)


def told(kind: str, **filters) -> list[str]:
    """Usernames notified of ``kind`` (sorted, one entry per notification)."""
    return sorted(Notification.objects.filter(kind=kind, **filters)
                  .values_list("user__username", flat=True))

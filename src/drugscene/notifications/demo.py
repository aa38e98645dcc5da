"""The notifications part of the demo city (see drugscene.demo.loader.EXTENSIONS).

The coordinator gets came-back alarms (and the rest of a coordinator's defaults) in the
app and by e-mail; the housing company's user follows the places the company owns. The
new-report cursor starts after the loaded history, so the first ``drugscene worker
--once`` announces what is news: the planted "came back" at Kvarnparken.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Max

from drugscene.demo.model import demo_username
from drugscene.notifications.defaults import for_role
from drugscene.notifications.models import (
    AreaSubscription,
    Cursor,
    Delivery,
    EventKind,
    NotificationPreference,
)
from drugscene.places.models import OwnerKind, Place
from drugscene.reports.models import Report

#: places the housing user follows are widened by this circle
HOUSING_RADIUS_M = 150


def build(city, demo, orgs, progress) -> None:
    """Preferences, addresses and areas of the demo users; the report cursor."""
    users = {u.username: u for u in get_user_model().objects.filter(
        memberships__organisation__city=city, memberships__is_demo=True).distinct()}
    for user in users.values():
        if not user.email:
            user.email = f"{user.username}@demo.invalid"
            user.save(update_fields=["email"])
    coordinator = users.get(demo_username(city.slug, "coordinator"))
    if coordinator is not None:
        choices = for_role("coordinator")
        choices[EventKind.CAME_BACK] = Delivery.BOTH
        NotificationPreference.objects.update_or_create(
            user=coordinator, city=city, defaults={**choices, "language": ""})
    housing = users.get(demo_username(city.slug, "housing"))
    if housing is not None:
        choices = for_role("reporter")
        choices[EventKind.NEW_REPORT] = Delivery.BOTH
        NotificationPreference.objects.update_or_create(
            user=housing, city=city, defaults={**choices, "language": ""})
        AreaSubscription.objects.filter(user=housing, city=city).delete()
        AreaSubscription.objects.bulk_create([
            AreaSubscription(user=housing, city=city, place=p, radius_m=HOUSING_RADIUS_M)
            for p in Place.objects.filter(city=city, owner_kind=OwnerKind.HOUSING_COMPANY)
            .order_by("id")])
    top = Report.objects.filter(city=city).aggregate(m=Max("id"))["m"] or 0
    Cursor.objects.update_or_create(city=city, name="reports", defaults={"position": top})

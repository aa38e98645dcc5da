"""Reads of notifications: a user's own inbox only, in the cities where they are a member."""

from __future__ import annotations

from django.db.models import QuerySet

from drugscene.accounts.access import Viewer
from drugscene.accounts.models import Membership
from drugscene.cities.models import City
from drugscene.notifications.defaults import Choices, best_role, effective
from drugscene.notifications.models import AreaSubscription, Notification, NotificationPreference


def inbox(viewer: Viewer, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The viewer's in-app notifications, newest first."""
    if viewer.is_anonymous:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=viewer.user_id, in_app=True)
    if not viewer.is_superuser:
        qs = qs.filter(city_id__in=viewer.city_ids)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("city").order_by("-created_at", "-id")


def unread_count(viewer: Viewer) -> int:
    return inbox(viewer, unread_only=True).count()


def preference_row(viewer: Viewer, city: City) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(user_id=viewer.user_id, city=city).first()


def choices_of(viewer: Viewer, city: City) -> Choices:
    """The viewer's effective choices in a city (their own, or their role's defaults)."""
    roles = Membership.objects.filter(user_id=viewer.user_id, organisation__city=city
                                      ).values_list("role", flat=True)
    return effective(preference_row(viewer, city), best_role(roles), city.default_language)


def subscriptions_of(viewer: Viewer, city: City) -> QuerySet[AreaSubscription]:
    return (AreaSubscription.objects.filter(user_id=viewer.user_id, city=city)
            .select_related("area", "place").order_by("id"))

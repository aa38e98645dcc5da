"""Writes a user makes: reading notifications, choosing what to get and which areas to
follow. Preferences and areas are validated, written in one transaction and audited;
marking as read changes only the user's own inbox and is not audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.audit import services as audit
from drugscene.cities.models import Area, City
from drugscene.core.errors import NotVisible, PermissionDenied
from drugscene.core.validation import Problems, seat_organisation
from drugscene.notifications import selectors
from drugscene.notifications.models import (
    AreaSubscription,
    Delivery,
    EventKind,
    Notification,
    NotificationPreference,
)
from drugscene.places.models import Place

MIN_RADIUS_M = 50
MAX_RADIUS_M = 5000
MAX_SUBSCRIPTIONS = 200


def _member(viewer: Viewer, city: City) -> None:
    if viewer.is_anonymous or not viewer.can(Perm.VIEW_REPORTS, city.pk):
        raise PermissionDenied(_("Your account is not a member of this city."))


def mark_read(viewer: Viewer, notification_id: int) -> Notification:
    n = selectors.inbox(viewer).filter(pk=notification_id).first()
    if n is None:
        raise NotVisible(_("Notification %(id)s not found.") % {"id": notification_id})
    if n.read_at is None:
        n.read_at = timezone.now()
        Notification.objects.filter(pk=n.pk).update(read_at=n.read_at)
    return n


def mark_all_read(viewer: Viewer) -> int:
    return selectors.inbox(viewer, unread_only=True).order_by().update(read_at=timezone.now())


@dataclass
class PreferenceInput:
    deliveries: dict[str, str]
    language: str = ""


def save_preferences(viewer: Viewer, city: City, data: PreferenceInput
                     ) -> NotificationPreference:
    _member(viewer, city)
    problems = Problems()
    for kind in EventKind.values:
        if data.deliveries.get(kind) not in Delivery.values:
            problems.add(kind, _("Choose how to get this."))
    if data.language and data.language not in dict(settings.LANGUAGES):
        problems.add("language", _("Unknown language."))
    problems.raise_if_any()
    with transaction.atomic():
        pref = NotificationPreference.objects.select_for_update().filter(
            user_id=viewer.user_id, city=city).first()
        before = audit.snapshot(pref) if pref else {}
        pref = pref or NotificationPreference(user_id=viewer.user_id, city=city)
        for kind in EventKind.values:
            setattr(pref, kind, data.deliveries[kind])
        pref.language = data.language
        pref.save()
        after = audit.snapshot(pref)
        after.pop("updated_at", None)
        before.pop("updated_at", None)
        audit.record(action="update" if before else "create", obj=pref,
                     changes=audit.diff(before, after) if before else after,
                     user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, city.pk))
    return pref


@dataclass
class AreasInput:
    area_ids: list[int] = field(default_factory=list)
    place_ids: list[int] = field(default_factory=list)
    #: (place id, radius in metres)
    radii: list[tuple[int, int]] = field(default_factory=list)


def set_areas(viewer: Viewer, city: City, data: AreasInput) -> list[AreaSubscription]:
    """Replace the viewer's areas in a city with ``data`` (districts, places, radii)."""
    _member(viewer, city)
    problems = Problems()
    areas = set(Area.objects.filter(city=city, pk__in=data.area_ids).values_list("pk",
                                                                               flat=True))
    if set(data.area_ids) - areas:
        problems.add("areas", _("Unknown district."))
    wanted_places = set(data.place_ids) | {p for p, _r in data.radii}
    places = set(Place.objects.filter(city=city, pk__in=wanted_places)
                 .values_list("pk", flat=True))
    if set(data.place_ids) - places:
        problems.add("places", _("Unknown place."))
    for place_id, radius in data.radii:
        if place_id not in places:
            problems.add("radius_place", _("Unknown place."))
        if not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
            problems.add("radius_m", _("The radius must be between %(lo)s and %(hi)s metres.")
                         % {"lo": MIN_RADIUS_M, "hi": MAX_RADIUS_M})
    radii = sorted(set(data.radii))
    if len(areas) + len(set(data.place_ids)) + len(radii) > MAX_SUBSCRIPTIONS:
        problems.add("areas", _("At most %(n)s areas.") % {"n": MAX_SUBSCRIPTIONS})
    problems.raise_if_any()
    with transaction.atomic():
        old = AreaSubscription.objects.filter(user_id=viewer.user_id, city=city)
        before = sorted(str(s) for s in old.select_related("area", "place"))
        old.delete()
        rows = ([AreaSubscription(user_id=viewer.user_id, city=city, area_id=a)
                 for a in sorted(areas)]
                + [AreaSubscription(user_id=viewer.user_id, city=city, place_id=p)
                   for p in sorted(set(data.place_ids))]
                + [AreaSubscription(user_id=viewer.user_id, city=city, place_id=p, radius_m=r)
                   for p, r in radii])
        AreaSubscription.objects.bulk_create(rows)
        subs = list(selectors.subscriptions_of(viewer, city))
        audit.record(action="notification_areas", obj=city,
                     changes={"areas": [before, sorted(str(s) for s in subs)],
                              "user": viewer.user_id},
                     user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, city.pk))
    return subs

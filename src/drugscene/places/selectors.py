"""Reads of the place register. Places are reference data that every partner may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.core.errors import NotVisible
from drugscene.places.models import Place


def visible_places(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[Place]:
    qs = Place.objects.select_related("area")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    if viewer.is_superuser:
        return qs
    if viewer.is_anonymous:
        return qs.none()
    return qs.filter(city_id__in=viewer.city_ids)


def get_place(viewer: Viewer, place_id: int) -> Place:
    try:
        return visible_places(viewer).get(pk=place_id)
    except Place.DoesNotExist:
        raise NotVisible(_("Place %(id)s not found.") % {"id": place_id}) from None


def places_with_counts(viewer: Viewer, city_id: int, report_ids_qs=None) -> QuerySet[Place]:
    """Places with the number of visible reports linked to them."""
    qs = visible_places(viewer, city_id=city_id)
    if report_ids_qs is None:
        return qs
    return qs.annotate(n_reports=Count("reports", filter=Q(reports__in=report_ids_qs)))

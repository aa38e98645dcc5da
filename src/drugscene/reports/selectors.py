"""Every read of reports goes through here, filtered by what the viewer may see.

Rules (need to know):

* anonymous callers see no single report (the public gets aggregates elsewhere);
* a member sees, in the cities of their organisations, reports that are *public* or for
  *all partners*, reports their own organisation made, and *restricted* reports that
  name one of their organisations;
* the role never widens visibility: an administrator of the municipality does not see
  police-restricted reports. Platform superusers see everything (they run the server).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.core.errors import NotVisible, ValidationFailed
from drugscene.geo import h3grid
from drugscene.reports.models import Category, Report, ReviewStatus, Visibility

RestrictedTo = Report.restricted_to.through


def public_reports(city_id: int) -> QuerySet[Report]:
    """The reports that may leave the system for the public (keyless OGC and Open311
    callers, each of which generalises place and time further): marked *public* by their
    source, in a category the city shows the public, and confirmed by a coordinator."""
    return Report.objects.filter(city_id=city_id, visibility=Visibility.PUBLIC,
                                 category__public=True, review_status=ReviewStatus.CONFIRMED)


def visible_reports(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[Report]:
    qs = Report.objects.all()
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    if viewer.is_superuser:
        return qs
    cities = viewer.cities_where(Perm.VIEW_REPORTS)
    if viewer.is_anonymous or not cities:
        return qs.none()
    orgs = list(viewer.organisation_ids)
    named = Exists(
        RestrictedTo.objects.filter(report_id=OuterRef("pk"), organisation_id__in=orgs)
    )
    return qs.filter(city_id__in=cities).filter(
        Q(visibility__in=["public", "partners"]) | Q(source_id__in=orgs) | named
    )


def get_report(viewer: Viewer, report_id: int) -> Report:
    try:
        return (
            visible_reports(viewer)
            .select_related("category", "source", "place", "area", "city", "reviewed_by")
            .get(pk=report_id)
        )
    except Report.DoesNotExist:
        raise NotVisible(_("Report %(id)s not found.") % {"id": report_id}) from None


@dataclass(frozen=True)
class ReportFilter:
    """The filters that the map, the list, the API and exports share."""

    city_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    categories: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()
    areas: tuple[int, ...] = ()
    places: tuple[int, ...] = ()
    review: tuple[str, ...] = ()

    def validate(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValidationFailed(_("'from' must not be after 'to'."), field="from")
        if self.bbox:
            w, s, e, n = self.bbox
            if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90 and -90 <= n <= 90):
                raise ValidationFailed(_("bbox values out of range."), field="bbox")
            if w > e or s > n:
                raise ValidationFailed(_("bbox must be west,south,east,north."), field="bbox")
        bad = set(self.review) - set(ReviewStatus.values)
        if bad:
            raise ValidationFailed(_("Unknown review status: %(values)s.")
                                   % {"values": ", ".join(sorted(bad))},
                                   field="review")


def category_slugs_with_children(city_id: int | None, slugs: tuple[str, ...]) -> list[int]:
    """Ids of the named categories and all their descendants (a parent filters its tree)."""
    qs = Category.objects.all()
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    rows = list(qs.values_list("id", "slug", "parent_id"))
    chosen = {cid for cid, slug, _ in rows if slug in slugs}
    unknown = set(slugs) - {slug for _, slug, _ in rows}
    if unknown:
        raise ValidationFailed(_("Unknown category: %(values)s.")
                               % {"values": ", ".join(sorted(unknown))},
                               field="category")
    grew = True
    while grew:
        more = {cid for cid, _, parent in rows if parent in chosen and cid not in chosen}
        chosen |= more
        grew = bool(more)
    return sorted(chosen)


def filter_reports(viewer: Viewer, flt: ReportFilter) -> QuerySet[Report]:
    flt.validate()
    qs = visible_reports(viewer, city_id=flt.city_id)
    if flt.start:
        qs = qs.filter(occurred_from__gte=flt.start)
    if flt.end:
        qs = qs.filter(occurred_from__lt=flt.end)
    if flt.bbox:
        w, s, e, n = flt.bbox
        qs = qs.filter(lon__gte=w, lon__lte=e, lat__gte=s, lat__lte=n)
    if flt.categories:
        qs = qs.filter(category_id__in=category_slugs_with_children(flt.city_id, flt.categories))
    if flt.sources:
        qs = qs.filter(source_id__in=flt.sources)
    if flt.areas:
        qs = qs.filter(area_id__in=flt.areas)
    if flt.places:
        qs = qs.filter(place_id__in=flt.places)
    if flt.review:
        qs = qs.filter(review_status__in=flt.review)
    return qs


def hexagon_counts(qs: QuerySet[Report], resolution: int) -> list[tuple[int, int]]:
    """``(cell, count)`` per H3 cell at ``resolution``, aggregated inside the database."""
    keep, bits = h3grid.parent_parts(resolution)
    rows = (
        qs.order_by()
        .annotate(cell=ExpressionWrapper(F("h3_cell").bitand(keep).bitor(bits),
                                         output_field=BigIntegerField()))
        .values("cell")
        .annotate(n=Count("id"))
        .values_list("cell", "n")
    )
    return [(int(c), int(n)) for c, n in rows]


def review_queue(viewer: Viewer, city_id: int) -> QuerySet[Report]:
    """New reports awaiting a coordinator, oldest first."""
    return (
        visible_reports(viewer, city_id=city_id)
        .filter(review_status=ReviewStatus.NEW)
        .select_related("category", "source", "place", "area")
        .order_by("reported_at", "id")
    )


def visible_categories(city_id: int, *, tips_only: bool = False) -> QuerySet[Category]:
    qs = Category.objects.filter(city_id=city_id, active=True).select_related("parent")
    if tips_only:
        qs = qs.filter(tip_allowed=True)
    return qs

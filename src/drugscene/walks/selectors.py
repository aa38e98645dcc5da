"""Reads of safety walks and findings. Every member of a city may see its walks and
findings (they describe places, never persons); outsiders see nothing."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.cities.models import City
from drugscene.core.errors import NotVisible
from drugscene.walks.models import OPEN_STATUSES, Finding, SafetyWalk


def _member_filter(viewer: Viewer, qs: QuerySet, city_field: str) -> QuerySet:
    if viewer.is_superuser:
        return qs
    if viewer.is_anonymous:
        return qs.none()
    return qs.filter(**{f"{city_field}__in": viewer.cities_where(Perm.VIEW_REPORTS)})


def visible_walks(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[SafetyWalk]:
    qs = SafetyWalk.objects.select_related("city", "area")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    return _member_filter(viewer, qs, "city_id")


def walks_of(viewer: Viewer, city_id: int) -> QuerySet[SafetyWalk]:
    """The city's walks, newest first, with their numbers of findings (all / still open)."""
    return (
        visible_walks(viewer, city_id=city_id)
        .annotate(
            n_findings=Count("findings", distinct=True),
            n_open=Count("findings", filter=Q(findings__status__in=OPEN_STATUSES),
                         distinct=True),
            n_organisations=Count("organisations", distinct=True),
        )
        .order_by("-date", "-id")
    )


def get_walk(viewer: Viewer, walk_id: int) -> SafetyWalk:
    walk = visible_walks(viewer).filter(pk=walk_id).first()
    if walk is None:
        raise NotVisible(_("Safety walk %(id)s not found.") % {"id": walk_id})
    return walk


def visible_findings(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("walk", "walk__area", "owner")
    if city_id is not None:
        qs = qs.filter(walk__city_id=city_id)
    return _member_filter(viewer, qs, "walk__city_id")


def get_finding(viewer: Viewer, finding_id: int) -> Finding:
    finding = visible_findings(viewer).select_related("walk__city").filter(pk=finding_id).first()
    if finding is None:
        raise NotVisible(_("Finding %(id)s not found.") % {"id": finding_id})
    return finding


def findings_of(walk: SafetyWalk) -> QuerySet[Finding]:
    return walk.findings.select_related("owner").order_by("id")


def open_findings(viewer: Viewer, city: City) -> QuerySet[Finding]:
    """Findings of the city still to be fixed (open or in progress): tasks, on the map."""
    return visible_findings(viewer, city_id=city.pk).filter(status__in=OPEN_STATUSES)


TASK_SORTS = {
    "due": (F("due").asc(nulls_last=True), "id"),
    "-due": (F("due").desc(nulls_last=True), "-id"),
    "created": ("created_at", "id"),
}


def tasks_for(viewer: Viewer, city: City, organisation_id: int | None, *,
              sort: str = "due") -> QuerySet[Finding]:
    """Open findings of one organisation (all organisations when ``None``), sorted."""
    qs = open_findings(viewer, city)
    if organisation_id is not None:
        qs = qs.filter(owner_id=organisation_id)
    return qs.order_by(*TASK_SORTS.get(sort, TASK_SORTS["due"]))


def open_counts_by_owner(viewer: Viewer, city: City) -> dict[int, int]:
    return dict(
        open_findings(viewer, city).order_by().values("owner_id").annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )

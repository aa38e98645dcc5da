"""Reads of organisations.

Organisations of a city are not secret to its members (the restricted-visibility picker
and the source filter list them); the name of the viewer's own organisation is shown in
the header.
"""

from __future__ import annotations

from drugscene.accounts.models import Organisation, OrganisationKind


def organisations_of(city_id: int, *, partners_only: bool = False) -> list[tuple[int, str, str]]:
    """``(id, slug, name)`` of the city's organisations, by name.

    ``partners_only`` leaves out the citizen channel (it cannot be a report's audience).
    """
    qs = Organisation.objects.filter(city_id=city_id)
    if partners_only:
        qs = qs.exclude(kind=OrganisationKind.CITIZEN_CHANNEL)
    return list(qs.order_by("name").values_list("id", "slug", "name"))


def organisation_name(organisation_id: int) -> str:
    return (
        Organisation.objects.filter(pk=organisation_id).values_list("name", flat=True).first()
        or ""
    )


def organisation_ids_by_slug(city_id: int, slugs: list[str]) -> dict[str, int]:
    """``slug -> id`` for those of ``slugs`` that name an organisation of the city."""
    return dict(
        Organisation.objects.filter(city_id=city_id, slug__in=slugs).values_list("slug", "id")
    )

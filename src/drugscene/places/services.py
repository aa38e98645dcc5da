"""Writes to the place register (audited)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import PermissionDenied, ValidationFailed
from drugscene.geo.shapes import valid_lon_lat
from drugscene.places.models import OwnerKind, Place, PlaceType


def create_place(viewer: Viewer, city: City, *, name: str, place_type: str, lon: float,
                 lat: float, owner_kind: str = OwnerKind.UNKNOWN, geometry: dict | None = None,
                 indoor: bool = False) -> Place:
    if not viewer.can(Perm.MANAGE_PLACES, city.pk):
        raise PermissionDenied(_("Only coordinators manage places."))
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("A name is required.")]
    if place_type not in PlaceType.values:
        errors["place_type"] = [_("Unknown value.")]
    if owner_kind not in OwnerKind.values:
        errors["owner_kind"] = [_("Unknown value.")]
    if not valid_lon_lat(lon, lat):
        errors["lon"] = [_("Coordinates out of range: longitude −180..180, latitude −90..90.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    from drugscene.cities.selectors import area_index

    base = slugify(name)[:70] or "place"
    slug, n = base, 1
    while Place.objects.filter(city=city, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    with transaction.atomic():
        place = Place.objects.create(
            city=city, slug=slug, name=name.strip(), place_type=place_type, lon=lon, lat=lat,
            owner_kind=owner_kind, geometry=geometry, indoor=indoor,
            area_id=area_index(city.pk).lookup_one(lon, lat),
        )
        seat = viewer.seat_in(city.pk)
        audit.record(action="create", obj=place, changes=audit.snapshot(place),
                     user_id=viewer.user_id,
                     organisation_id=seat.organisation_id if seat else None)
    return place

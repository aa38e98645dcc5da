"""Writes to the place register (audited).

:func:`create_place` is the audited write for callers that only register a place.
:func:`clean_place` and :func:`insert_place` are the building blocks for services that
register a place as part of a larger write (the scene register in ``drugscene.scenes``
records the first lifecycle step, or a split, in the same transaction and audit entry).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import PermissionDenied, ValidationFailed
from drugscene.geo.shapes import valid_lon_lat
from drugscene.places.models import OwnerKind, Place, PlaceStatus, PlaceType

MAX_NAME = 160


def clean_place(city: City, *, name: str, place_type: str, lon: float | None,
                lat: float | None, owner_kind: str = OwnerKind.UNKNOWN,
                geometry: dict | None = None,
                status: str = PlaceStatus.ACTIVE) -> dict[str, list[str]]:
    """Every problem with these values, by field name (empty when they can be stored)."""
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not (name or "").strip():
        bad("name", _("A name is required."))
    elif len(name.strip()) > MAX_NAME:
        bad("name", _("At most %(n)s characters.") % {"n": MAX_NAME})
    if place_type not in PlaceType.values:
        bad("place_type", _("Unknown value."))
    if owner_kind not in OwnerKind.values:
        bad("owner_kind", _("Unknown value."))
    if status not in PlaceStatus.values:
        bad("status", _("Unknown value."))
    if lon is None or lat is None:
        bad("lon", _("A position is required: click the map or give the coordinates."))
    elif not valid_lon_lat(lon, lat):
        bad("lon", _("Coordinates out of range: longitude −180..180, latitude −90..90."))
    elif not _inside_city(city, lon, lat):
        bad("lon", _("The position lies outside %(city)s.") % {"city": city.name})
    if geometry is not None and not _valid_polygon(geometry):
        bad("geometry", _("The outline must be a valid GeoJSON polygon."))
    return errors


def insert_place(city: City, *, name: str, place_type: str, lon: float, lat: float,
                 owner_kind: str = OwnerKind.UNKNOWN, geometry: dict | None = None,
                 indoor: bool = False, status: str = PlaceStatus.ACTIVE) -> Place:
    """Insert a place whose values passed :func:`clean_place`. No permission check and
    no audit entry: the calling service does both, inside its transaction."""
    from drugscene.cities.selectors import area_index

    base = slugify(name)[:70] or "place"
    slug, n = base, 1
    while Place.objects.filter(city=city, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Place.objects.create(
        city=city, slug=slug, name=name.strip(), place_type=place_type, lon=lon, lat=lat,
        owner_kind=owner_kind, geometry=geometry, indoor=indoor, status=status,
        area_id=area_index(city.pk).lookup_one(lon, lat),
    )


def create_place(viewer: Viewer, city: City, *, name: str, place_type: str, lon: float,
                 lat: float, owner_kind: str = OwnerKind.UNKNOWN, geometry: dict | None = None,
                 indoor: bool = False) -> Place:
    if not viewer.can(Perm.MANAGE_PLACES, city.pk):
        raise PermissionDenied(_("Only coordinators manage places."))
    errors = clean_place(city, name=name, place_type=place_type, lon=lon, lat=lat,
                         owner_kind=owner_kind, geometry=geometry)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        place = insert_place(city, name=name, place_type=place_type, lon=lon, lat=lat,
                             owner_kind=owner_kind, geometry=geometry, indoor=indoor)
        seat = viewer.seat_in(city.pk)
        audit.record(action="create", obj=place, changes=audit.snapshot(place),
                     user_id=viewer.user_id,
                     organisation_id=seat.organisation_id if seat else None)
    return place


def _inside_city(city: City, lon: float, lat: float) -> bool:
    if not city.boundary:
        return True
    import shapely

    from drugscene.cities.selectors import city_shape

    return bool(shapely.contains_xy(city_shape(city), lon, lat))


def _valid_polygon(geometry: object) -> bool:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon",
                                                                       "MultiPolygon"):
        return False
    try:
        from shapely.geometry import shape

        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return False
    return bool(geom.is_valid and not geom.is_empty)

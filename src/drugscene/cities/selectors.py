"""Reads of cities and districts, with cached geometry indexes."""

from __future__ import annotations

from functools import lru_cache

import shapely
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from shapely.geometry import shape

from drugscene.accounts.access import Viewer
from drugscene.cities.models import Area, City
from drugscene.core.errors import NotVisible
from drugscene.geo.shapes import AreaIndex


def cities_for(viewer: Viewer) -> QuerySet[City]:
    if viewer.is_superuser:
        return City.objects.all()
    return City.objects.filter(pk__in=viewer.city_ids)


def city_for(viewer: Viewer, slug: str | None = None) -> City:
    """The city a viewer works in: the named one, or their only/first one."""
    qs = cities_for(viewer)
    city = qs.filter(slug=slug).first() if slug else qs.order_by("pk").first()
    if city is None:
        raise NotVisible(_("City not found: %(slug)s") % {"slug": slug or "-"})
    return city


def areas_of(city_id: int) -> QuerySet[Area]:
    return Area.objects.filter(city_id=city_id).order_by("name")


def _geometry_version(city_id: int) -> tuple:
    return tuple(Area.objects.filter(city_id=city_id).order_by("pk").values_list("pk", "min_lon",
                                                                                  "max_lat"))


@lru_cache(maxsize=32)
def _area_index(city_id: int, version: tuple) -> AreaIndex:
    return AreaIndex.from_geojson(
        [(a.pk, a.geometry) for a in Area.objects.filter(city_id=city_id).order_by("pk")]
    )


def area_index(city_id: int) -> AreaIndex:
    return _area_index(city_id, _geometry_version(city_id))


@lru_cache(maxsize=32)
def _city_shape(city_id: int, boundary_json: str) -> shapely.Geometry:
    import json

    geom = shape(json.loads(boundary_json)).buffer(0.005)
    shapely.prepare(geom)
    return geom


def city_shape(city: City) -> shapely.Geometry:
    import json

    return _city_shape(city.pk, json.dumps(city.boundary, sort_keys=True))

"""``drugscene city create|add-organisation``: a city to import real data into."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import shape

from drugscene.accounts.models import Organisation
from drugscene.audit.models import AuditEntry
from drugscene.cities.models import City
from drugscene.indicators.models import Indicator
from drugscene.reports.defaults import DEFAULT_CATEGORIES
from drugscene.reports.models import Category


def city(*args: str) -> str:
    out = StringIO()
    call_command("city", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_with_a_bbox_and_add_an_organisation() -> None:
    city("create", "--slug", "liverpool", "--name", "Liverpool", "--crs", "EPSG:27700",
         "--timezone", "Europe/London", "--language", "en", "--bbox=-3.25,53.3,-2.55,53.7")
    c = City.objects.get(slug="liverpool")
    assert (c.metric_crs, c.timezone, c.default_language) == ("EPSG:27700", "Europe/London",
                                                             "en")
    assert shape(c.boundary).bounds == (-3.25, 53.3, -2.55, 53.7)
    assert (c.centre_lon, c.centre_lat) == (-2.9, 53.5)
    assert set(Category.objects.filter(city=c).values_list("slug", flat=True)) == {
        d.slug for d in DEFAULT_CATEGORIES}
    # and the indicator catalogue, so its report counts are there from the first import
    assert {"reports-drug", "overdose-deaths", "wastewater-cocaine"} <= set(
        Indicator.objects.filter(city=c).values_list("slug", flat=True))
    city("add-organisation", "--city", "liverpool", "--name", "Police (police.uk)",
         "--kind", "police")
    org = Organisation.objects.get(city=c)
    assert (org.slug, org.kind) == ("police-policeuk", "police")
    assert AuditEntry.objects.filter(object_type="cities.city").count() == 1
    assert AuditEntry.objects.filter(object_type="accounts.organisation").count() == 1
    with pytest.raises(CommandError, match="exists already"):
        city("create", "--slug", "liverpool", "--name", "Again")
    with pytest.raises(CommandError, match="--kind: one of"):
        city("add-organisation", "--city", "liverpool", "--name", "X", "--kind", "bakery")


@pytest.mark.django_db
def test_create_from_points_contains_every_point(tmp_path) -> None:
    pts = [(-2.99, 53.40), (-2.95, 53.41), (-2.97, 53.45), (-2.93, 53.38)]
    path = tmp_path / "p.csv"
    path.write_text("id,lon,lat,time,category\n" + "".join(
        f"{i},{x},{y},2025-01-01,drugs\n" for i, (x, y) in enumerate(pts)), encoding="utf-8")
    city("create", "--slug", "pts", "--name", "Pts", "--crs", "EPSG:27700",
         "--from-points", str(path))
    outline = shape(City.objects.get(slug="pts").boundary)
    assert all(outline.contains(shapely.Point(x, y)) for x, y in pts)
    assert not outline.contains(shapely.Point(-2.5, 53.4))


@pytest.mark.django_db
def test_create_from_a_geojson_boundary(tmp_path) -> None:
    ring = [[16.0, 59.0], [16.1, 59.0], [16.1, 59.1], [16.0, 59.1], [16.0, 59.0]]
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                           "coordinates": [ring]}}]}))
    city("create", "--slug", "gj", "--name", "Gj", "--boundary", str(path))
    assert shape(City.objects.get(slug="gj").boundary).equals(shapely.Polygon(ring))
    with pytest.raises(CommandError, match="not a metric"):
        city("create", "--slug", "geo", "--name", "Geo", "--crs", "EPSG:4326")

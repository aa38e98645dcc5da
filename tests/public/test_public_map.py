"""The public map on the demo city: no cell under the minimum, no exact point, only what
may be counted - checked against a reference count made here with the h3 library."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import h3
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from drugscene.cities.models import City
from drugscene.core.errors import ValidationFailed
from drugscene.geo import h3grid
from drugscene.public.services import configure_city
from drugscene.reports.models import Category, Report
from tests.public.conftest import load_demo  # noqa: F401  (fixtures in conftest)

pytestmark = pytest.mark.django_db


def expected_window(city: City) -> tuple[date, date]:
    """By hand: the month of (today - delay) ends the period; twelve months before it."""
    today = timezone.now().astimezone(ZoneInfo(city.timezone)).date()
    cutoff = today - timedelta(days=city.public_delay_days)
    end = date(cutoff.year, cutoff.month, 1)
    start = date(end.year - 1, end.month, 1)
    return start, end


def cell_at(lon: float, lat: float, resolution: int) -> str:
    """The map cell of a point: the parent of its stored resolution-12 cell (H3 cells do
    not nest exactly, so the parent can differ from the cell holding the point)."""
    return h3.cell_to_parent(h3.latlng_to_cell(lat, lon, 12), resolution)


def reference_counts(city: City, resolution: int) -> Counter:
    """Every countable report, its cell computed from its lon/lat with the h3 library (not
    the stored cell nor the database's bit arithmetic), counted in Python."""
    start, end = expected_window(city)
    tz = ZoneInfo(city.timezone)
    lo = datetime.combine(start, time.min, tzinfo=tz)
    hi = datetime.combine(end, time.min, tzinfo=tz)
    public = set(Category.objects.filter(city=city, public=True).values_list("id", flat=True))
    counts: Counter = Counter()
    for lon, lat, cat, vis, review, occurred, reported in Report.objects.filter(
            city=city).values_list("lon", "lat", "category_id", "visibility", "review_status",
                                   "occurred_from", "reported_at"):
        if (cat in public and vis in ("public", "partners") and review == "confirmed"
                and lo <= occurred < hi and reported < hi):
            counts[h3.str_to_int(cell_at(lon, lat, resolution))] += 1
    return counts


def geojson(client, city: City) -> dict:
    response = client.get(f"/public/{city.slug}/hexagons.geojson")
    assert response.status_code == 200
    return response.json()


def test_hexagons_match_the_reference_and_suppress_small_cells(client, demo_city) -> None:
    data = geojson(client, demo_city)
    ref = reference_counts(demo_city, 8)
    shown = {h3.str_to_int(h3.latlng_to_cell(*_centroid(f))): f["properties"]["count"]
             for f in data["features"]}
    assert shown == {c: n for c, n in ref.items() if n >= 5}
    # the test is not empty: cells are shown, and small cells exist that are not shown
    assert len(shown) >= 5
    small = [c for c, n in ref.items() if 0 < n < 5]
    assert small and not set(small) & set(shown)
    assert min(f["properties"]["count"] for f in data["features"]) >= 5
    assert data["min_count"] == 5 and data["resolution"] == 8


def _centroid(feature: dict) -> tuple[float, float]:
    ring = feature["geometry"]["coordinates"][0][:-1]
    return (sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring), 8)


def test_no_exact_point_and_nothing_but_counts(client, demo_city) -> None:
    data = geojson(client, demo_city)
    points = set(Report.objects.filter(city=demo_city).values_list("lon", "lat"))
    rounded = {(round(x, 6), round(y, 6)) for x, y in points}
    for f in data["features"]:
        assert set(f) == {"type", "geometry", "properties"}
        assert set(f["properties"]) == {"count"}
        assert f["geometry"]["type"] == "Polygon"
        ring = f["geometry"]["coordinates"][0]
        # every polygon is exactly the boundary of an H3 cell of the resolution
        cell = h3.latlng_to_cell(*_centroid(f))
        expected = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell)]
        assert ring == [*expected, expected[0]]
        for x, y in ring:
            assert (x, y) not in points and (x, y) not in rounded
    # top level: the period in days (whole months), no times, no ids
    assert set(data) == {"type", "period", "resolution", "min_count", "max", "features"}
    start, end = expected_window(demo_city)
    assert data["period"] == {"start": start.isoformat(),
                              "end": (end - timedelta(days=1)).isoformat()}


def _add(city: City, n: int, *, lon: float, lat: float, category: str, visibility: str,
         review: str = "confirmed", days_ago: int = 60) -> None:
    cat = Category.objects.get(city=city, slug=category)
    when = timezone.now() - timedelta(days=days_ago)
    source = city.organisations.first()
    Report.objects.bulk_create([
        Report(city=city, occurred_from=when, reported_at=when, lon=lon, lat=lat,
               h3_cell=h3grid.cell_of(lon, lat), category=cat, source=source,
               visibility=visibility, review_status=review)
        for _ in range(n)])


def _empty_spot(city: City, data: dict) -> tuple[float, float]:
    """A point inside the city whose resolution-8 cell is not on the map."""
    shown = {h3.latlng_to_cell(*_centroid(f)) for f in data["features"]}
    for dx in range(-40, 41, 4):
        for dy in range(-30, 31, 4):
            lon, lat = city.centre_lon + dx / 1000, city.centre_lat + dy / 1000
            if cell_at(lon, lat, 8) not in shown:
                return lon, lat
    raise AssertionError("no empty cell")


def test_restricted_non_public_unconfirmed_and_recent_reports_never_count(client,
                                                                          demo_city) -> None:
    before = geojson(client, demo_city)
    lon, lat = _empty_spot(demo_city, before)
    _add(demo_city, 12, lon=lon, lat=lat, category="open_sale", visibility="restricted")
    _add(demo_city, 12, lon=lon, lat=lat, category="overdose", visibility="partners")
    _add(demo_city, 12, lon=lon, lat=lat, category="open_sale", visibility="partners",
         review="new")
    _add(demo_city, 12, lon=lon, lat=lat, category="open_sale", visibility="partners",
         review="rejected")
    _add(demo_city, 12, lon=lon, lat=lat, category="open_sale", visibility="public",
         days_ago=3)
    assert geojson(client, demo_city)["features"] == before["features"]
    # the control: the same number of countable reports does appear, as one cell of 12
    _add(demo_city, 12, lon=lon, lat=lat, category="drug_litter", visibility="partners")
    after = geojson(client, demo_city)
    new = [f for f in after["features"] if f not in before["features"]]
    assert [f["properties"]["count"] for f in new] == [12]


def test_a_higher_minimum_hides_more_and_5_is_the_floor(client, demo_city) -> None:
    configure_city(demo_city, public_min_count=12)
    data = geojson(client, demo_city)
    ref = reference_counts(demo_city, 8)
    assert len(data["features"]) == sum(1 for n in ref.values() if n >= 12)
    assert min(f["properties"]["count"] for f in data["features"]) >= 12
    with pytest.raises(ValidationFailed) as err:
        configure_city(demo_city, public_min_count=4)
    assert "public_min_count" in err.value.errors
    with pytest.raises(IntegrityError), transaction.atomic():
        City.objects.filter(pk=demo_city.pk).update(public_min_count=3)


def test_resolution_9_is_finer(client, demo_city) -> None:
    configure_city(demo_city, public_resolution=9)
    data = geojson(client, demo_city)
    assert data["resolution"] == 9
    ref = reference_counts(demo_city, 9)
    assert len(data["features"]) == sum(1 for n in ref.values() if n >= 5)
    for f in data["features"]:
        assert h3.get_resolution(h3.latlng_to_cell(*_centroid(f)[:2], 9)) == 9


def test_a_city_without_a_public_page_is_404(client, demo_city) -> None:
    configure_city(demo_city, public_enabled=False)
    assert client.get(f"/public/{demo_city.slug}/").status_code == 404
    assert client.get(f"/public/{demo_city.slug}/hexagons.geojson").status_code == 404
    assert client.get("/public/no-such-city/").status_code == 404


def test_geojson_caching_headers(client, demo_city) -> None:
    response = client.get(f"/public/{demo_city.slug}/hexagons.geojson")
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    again = client.get(f"/public/{demo_city.slug}/hexagons.geojson",
                       HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_page_holds_no_report_coordinate(client, demo_city) -> None:
    import re

    html = client.get(f"/public/{demo_city.slug}/").content.decode()
    numbers = {float(x) for x in re.findall(r"-?\d+\.\d{4,}", html)}
    assert numbers  # the district outlines are there
    for lon, lat in Report.objects.filter(city=demo_city).values_list("lon", "lat"):
        assert lon not in numbers and lat not in numbers
        assert round(lon, 6) not in numbers or round(lat, 6) not in numbers

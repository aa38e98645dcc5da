"""The demo's indicators: catalogue, two years, below-LOD weeks, the planted story."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from drugscene.demo.model import generate
from drugscene.indicators import demo as indicator_demo
from drugscene.indicators import selectors
from drugscene.indicators.models import Measurement
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(db):
    """The demo's districts as areas of a test city (the indicators need no reports)."""
    from drugscene.cities.models import Area
    from drugscene.geo.shapes import polygon_geojson

    demo = generate(n_reports=3000, start="2024-11-24", days=730)
    city = factories.make_city("demo-ind")
    Area.objects.filter(city=city).delete()
    for d in demo.districts:
        Area.objects.create(city=city, slug=d.slug, name=d.name, police_class=d.police_class,
                            geometry=polygon_geojson(d.polygon))
    return city, demo


def _build(city, demo):
    indicator_demo.build(city, demo, [], lambda *a: None)


def test_demo_builds_two_years_deterministically(demo_city):
    city, demo = demo_city
    _build(city, demo)
    first = sorted(Measurement.objects.filter(indicator__city=city).values_list(
        "indicator__slug", "period_start", "area__slug", "gender", "value", "below_lod",
        "age_band"),
        key=repr)
    Measurement.objects.filter(indicator__city=city).delete()
    _build(city, demo)
    again = sorted(Measurement.objects.filter(indicator__city=city).values_list(
        "indicator__slug", "period_start", "area__slug", "gender", "value", "below_lod",
        "age_band"),
        key=repr)
    assert first == again
    slugs = {row[0] for row in first}
    assert "consumption-room-visits" not in slugs       # no consumption room in the city
    assert {"wastewater-cocaine", "survey-avoid-places", "overdose-deaths", "syringe-finds",
            "treatment-demand", "police-drug-offences"} <= slugs
    weeks = [r for r in first if r[0] == "wastewater-methamphetamine"]
    assert 100 <= len(weeks) <= 105
    below = Measurement.objects.filter(indicator__slug="wastewater-methamphetamine",
                                       below_lod=True)
    assert below.exists() and not below.filter(value__isnull=False).exists()
    assert all(m.lod for m in below)
    months = [r for r in first if r[0] == "overdose-deaths" and not r[3] and not r[6]]
    assert 23 <= len(months) <= 24 and max(r[4] for r in months) < 10
    # the yearly breakdowns add up to the months of that year
    for year in {r[1].year for r in first if r[0] == "overdose-deaths" and r[6]}:
        total = sum(r[4] for r in months if r[1].year == year)
        assert sum(r[4] for r in first if r[0] == "overdose-deaths" and r[6]
                   and r[1].year == year) == total
        assert sum(r[4] for r in first if r[0] == "overdose-deaths" and r[3]
                   and r[1].year == year) == total


def test_demo_tells_the_planted_story(demo_city):
    city, demo = demo_city
    _build(city, demo)
    ind = city.indicators.get(slug="syringe-finds")
    by_area = {a.slug: pts for a, pts in selectors.district_series(ind)}
    cameras = date(2025, 11, 24)
    emerging = date(2025, 12, 24)

    def mean(points, before=None, after=None):
        vals = [p.value for p in points if (before is None or p.period_end < before)
                and (after is None or p.period_start >= after)]
        return sum(vals) / len(vals)

    assert mean(by_area["angsdal"], after=emerging + timedelta(days=180)) > \
        2 * mean(by_area["angsdal"], before=emerging)
    assert mean(by_area["hamnstaden"], after=date(2026, 5, 1)) < \
        mean(by_area["hamnstaden"], before=date(2025, 5, 1))
    survey = city.indicators.get(slug="survey-avoid-places")
    centrum = {p.period_start.year: p.value for p in selectors.series(
        survey, city.areas.get(slug="centrum"))}
    assert centrum[2026] < centrum[2025]
    # Centrum: Stortorget loses 70 %, Kyrkparken takes half of it back - a net fall
    assert mean(by_area["centrum"], after=cameras) < mean(by_area["centrum"], before=cameras)

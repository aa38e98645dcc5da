"""Computed series against a count done here in plain Python over the Report rows; the
trend test against pymannkendall; public suppression."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pymannkendall
import pytest
from django.utils import timezone

from drugscene.cities.models import Area
from drugscene.indicators import selectors
from drugscene.indicators.models import Measurement
from drugscene.indicators.selectors import Point
from drugscene.reports.models import Category, Report

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def _independent_counts(slugs: set[str] | None, area_id=None, kind="month") -> Counter:
    """Counted the slow way: every report, its local date, the rule written out."""
    cats = {c.pk: c for c in Category.objects.all()}

    def counted(r: Report) -> bool:
        cat = cats[r.category_id]
        names = {cat.slug, cats[cat.parent_id].slug if cat.parent_id else None}
        wanted = cat.drug_related if slugs is None else bool(names & slugs)
        return (wanted and r.visibility in ("public", "partners")
                and r.review_status not in ("rejected", "duplicate")
                and (area_id is None or r.area_id == area_id))

    def period_of(d: date) -> date:
        if kind == "month":
            return date(d.year, d.month, 1)
        if kind == "quarter":
            return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
        return d - timedelta(days=d.weekday())

    out: Counter = Counter()
    for r in Report.objects.all():
        if counted(r):
            out[period_of(r.occurred_from.astimezone(TZ).date())] += 1
    # the period in which the city's records begin is only partly covered: not reported
    first_day = min(r.occurred_from.astimezone(TZ).date() for r in Report.objects.all())
    if period_of(first_day) != first_day:
        out.pop(period_of(first_day), None)
    return out


def _as_counter(points) -> Counter:
    return Counter({p.period_start: int(p.value) for p in points if p.value})


@pytest.mark.parametrize(("slug", "cats"), [("reports-drug", None),
                                            ("reports-drugs", {"drugs"}),
                                            ("reports-open_sale", {"open_sale"}),
                                            ("reports-overdose", {"overdose"})])
def test_computed_counts_match_an_independent_count(catalogue, spread_reports, slug, cats):
    ind = catalogue[slug]
    points = selectors.series(ind)
    expected = _independent_counts(cats)
    this_month = timezone.localdate(timezone=TZ).replace(day=1)
    expected.pop(this_month, None)              # the running month is not complete
    assert _as_counter(points) == expected
    # consecutive complete months, zeros included
    assert all(b + timedelta(days=1) == nxt.period_start
               for (_a, b), nxt in zip([(p.period_start, p.period_end) for p in points],
                                       points[1:], strict=False))
    assert points[-1].period_end < this_month
    assert sum(expected.values()) >= 3


def test_month_follows_the_city_time_zone(catalogue, spread_reports):
    points = {p.period_start: p.value for p in selectors.series(catalogue["reports-open_sale"])}
    r = Report.objects.get(pk=spread_reports[-1])
    assert r.occurred_from.month == 8                          # 23:30 UTC on 31 August
    assert points[date(2025, 9, 1)] >= 1                       # ... counted in September
    assert _independent_counts({"open_sale"})[date(2025, 9, 1)] == points[date(2025, 9, 1)]


def test_computed_per_district_and_other_frequencies(catalogue, spread_reports):
    ind = catalogue["reports-drug"]
    west = Area.objects.get(slug="west")
    assert _as_counter(selectors.series(ind, west)) == {
        k: v for k, v in _independent_counts(None, west.pk).items()
        if k < timezone.localdate(timezone=TZ).replace(day=1)}
    grouped = dict(selectors.district_series(ind))
    assert _as_counter(grouped[west]) == _as_counter(selectors.series(ind, west.pk))
    city, per_district = selectors.city_and_district_series(ind)
    assert city == selectors.series(ind)
    assert dict(per_district) == grouped
    for kind in ("quarter", "week"):
        ind.frequency = kind
        points = selectors.series(ind)
        expected = _independent_counts(None, kind=kind)
        running = selectors.P.bucket(timezone.localdate(timezone=TZ), kind)[0]
        expected.pop(running, None)
        assert _as_counter(points) == expected


def test_start_and_end_limit_the_series(catalogue, spread_reports):
    ind = catalogue["reports-drug"]
    points = selectors.series(ind, start=date(2025, 3, 15), end=date(2025, 6, 30))
    assert [p.label for p in points] == ["2025-03", "2025-04", "2025-05", "2025-06"]
    expected = _independent_counts(None)
    assert [p.value for p in points] == [expected[date(2025, m, 1)] for m in (3, 4, 5, 6)]


def test_restricted_reports_never_count(world, catalogue):
    from tests import factories

    factories.report(world, category="open_sale", visibility="restricted",
                     restricted_to=[world.orgs["police"].pk],
                     occurred_from=timezone.now() - timedelta(days=60))
    assert all(p.value == 0 for p in selectors.series(catalogue["reports-drug"]))


def test_latest_is_the_last_complete_period(catalogue, spread_reports):
    ind = catalogue["reports-drug"]
    last = selectors.latest(ind)
    assert last == selectors.series(ind)[-1]
    assert selectors.latest(catalogue["syringe-finds"]) is None


def _mk_reference(values):
    return pymannkendall.original_test(np.asarray(values, dtype=float))


def test_trend_equals_pymannkendall():
    rng = np.random.default_rng(3)
    values = list(np.round(20 + 0.4 * np.arange(30) + rng.normal(0, 3, 30), 1))
    values[4] = values[5]                                          # a tie
    points = [Point(date(2024, 1, 1) + timedelta(days=7 * i),
                    date(2024, 1, 7) + timedelta(days=7 * i), v) for i, v in enumerate(values)]
    t = selectors.trend(points)
    ref = _mk_reference(values)
    assert t.kind == "week" and t.n == 30
    assert t.s == pytest.approx(ref.s) and t.z == pytest.approx(ref.z)
    assert t.p == pytest.approx(ref.p) and t.tau == pytest.approx(ref.Tau)
    assert t.slope == pytest.approx(ref.slope)
    assert t.direction == {"increasing": 1, "decreasing": -1, "no trend": 0}[ref.trend]


def test_trend_spaces_gaps_and_censors_below_lod():
    # months Jan..Dec 2024, March missing, May below a limit of 2.0
    values = {1: 9.0, 2: 8.5, 4: 8.0, 5: None, 6: 7.0, 7: 7.2, 8: 6.1, 9: 5.0, 10: 5.5,
              11: 4.0, 12: 3.0}
    points = []
    for m, v in values.items():
        start = date(2024, m, 1)
        end = (date(2024, m + 1, 1) if m < 12 else date(2025, 1, 1)) - timedelta(days=1)
        points.append(Point(start, end, v, below_lod=v is None, lod=2.0 if v is None else None))
    t = selectors.trend(points)
    series = [9.0, 8.5, np.nan, 8.0, 1.0, 7.0, 7.2, 6.1, 5.0, 5.5, 4.0, 3.0]
    ref = _mk_reference(series)
    assert (t.n, t.below_lod, t.kind) == (11, 1, "month")
    assert t.s == pytest.approx(ref.s) and t.slope == pytest.approx(ref.slope)
    assert t.p == pytest.approx(ref.p)


def test_too_few_points_give_no_trend():
    pts = [Point(date(2024, m, 1), date(2024, m, 28), float(m)) for m in range(1, 5)]
    assert selectors.trend(pts) is None


def test_public_series_suppresses_small_counts(world, catalogue):
    ind = catalogue["syringe-finds"]
    west = Area.objects.get(slug="west")
    for m, v in [(1, 0), (2, 3), (3, 4), (4, 5), (5, 12)]:
        Measurement.objects.create(indicator=ind, period_start=date(2025, m, 1),
                                   period_end=date(2025, m, 28), area=west, value=v)
    Measurement.objects.create(indicator=catalogue["survey-avoid-places"],
                               period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                               value=3.5)
    out = {s.indicator.slug: s for s in selectors.public_series(world.city)}
    assert "survey-avoid-places" in out
    assert out["survey-avoid-places"].points[0].value == 3.5       # a share, not a count
    districts = dict(out["syringe-finds"].districts)
    assert [(p.value, p.suppressed) for p in districts[west]] == [
        (0, False), (None, True), (None, True), (5, False), (12, False)]
    # report counts are public only when their categories are
    assert not any(slug.startswith("reports-") for slug in out)


def test_public_report_counts_when_categories_are_public(world, catalogue, spread_reports):
    Category.objects.filter(city=world.city, slug__in=["drugs", "open_sale"]).update(
        public=True)
    out = {s.indicator.slug: s for s in selectors.public_series(world.city)}
    assert "reports-open_sale" in out and "reports-drug" not in out
    for _area, points in out["reports-open_sale"].districts:
        assert all(p.value is None or p.value == 0 or p.value >= 5 for p in points)


def test_counts_are_cached_for_a_while(catalogue, spread_reports, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(selectors, "CACHE_IN_TESTS", True)
    cache.clear()
    ind = catalogue["reports-drug"]
    first = selectors.series(ind)
    Report.objects.filter(category__drug_related=True).update(review_status="rejected")
    assert selectors.series(ind) == first                      # from the cache
    monkeypatch.setattr(selectors, "CACHE_IN_TESTS", False)
    assert all(p.value == 0 for p in selectors.series(ind))    # counted again
    cache.clear()


def test_public_report_counts_end_before_the_public_delay(world, catalogue, spread_reports):
    """No public count includes a report younger than the city's public delay: the series
    ends with the last whole period that ends on or before ``today - delay``."""
    Category.objects.filter(city=world.city, slug__in=["drugs", "open_sale"]).update(
        public=True)
    world.city.public_delay_days = 45
    world.city.save(update_fields=["public_delay_days"])
    delayed = timezone.localdate(timezone=TZ) - timedelta(days=45)
    out = {s.indicator.slug: s for s in selectors.public_series(world.city)}
    last = out["reports-open_sale"].points[-1]
    assert last.period_end <= delayed
    # and it is the latest such month: the next month would end after the delayed day
    following = (last.period_end + timedelta(days=1)).replace(day=28) + timedelta(days=4)
    assert following.replace(day=1) - timedelta(days=1) > delayed

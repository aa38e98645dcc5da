"""Benchmark of the computed indicators (run by hand on a loaded demo city).

    DRUGSCENE_VAR=/path/with/a/demo .venv/bin/python bench/bench_indicators.py \
        [--city demo] [--repeat 3]

For ``reports-drug`` and ``reports-open_sale`` (monthly) and ``reports-drug`` weekly: the
city series (``selectors.series``), the per-district series (``selectors.district_series``,
one grouped query), the latest value, and - for comparison - the same monthly count done in
Python over the counted rows (fetching ``occurred_from`` only). Prints the best of
``--repeat`` runs in seconds with the count cache off, the number of reports counted, the
ratio, and one cached call (cache on, after a first call).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drugscene.settings")

import django  # noqa: E402

django.setup()

from drugscene.cities.models import City  # noqa: E402
from drugscene.indicators import selectors  # noqa: E402
from drugscene.indicators.services import ensure_default_indicators  # noqa: E402


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def python_count(ind) -> Counter:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(ind.city.timezone)
    out: Counter = Counter()
    for when in selectors.counted_reports(ind).values_list("occurred_from", flat=True):
        d = when.astimezone(tz).date()
        out[d.replace(day=1)] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--city", default="demo")
    parser.add_argument("--repeat", type=int, default=3)
    a = parser.parse_args()
    city = City.objects.get(slug=a.city)
    ensure_default_indicators(city)
    print(f"city {city.slug}: {city.reports.count():,} reports")
    cache_seconds = selectors.COUNT_CACHE_SECONDS
    for slug, freq in (("reports-drug", "month"), ("reports-open_sale", "month"),
                       ("reports-drug", "week")):
        ind = city.indicators.get(slug=slug)
        ind.frequency = freq
        selectors.COUNT_CACHE_SECONDS = 0
        t_series, pts = best(lambda ind=ind: selectors.series(ind), a.repeat)
        t_dist, _d = best(lambda ind=ind: selectors.district_series(ind), a.repeat)
        t_latest, _l = best(lambda ind=ind: selectors.latest(ind), a.repeat)
        n = int(sum(p.value for p in pts))
        line = (f"{slug:20} {freq:6} {len(pts):4} periods {n:>9,} counted  series "
                f"{t_series:6.2f} s  districts {t_dist:6.2f} s  latest {t_latest:6.3f} s")
        if freq == "month":
            t_py, counts = best(lambda ind=ind: python_count(ind), 1)
            line += f"  python loop {t_py:6.2f} s ({t_py / t_series:4.1f}x)"
        selectors.COUNT_CACHE_SECONDS = cache_seconds
        selectors.series(ind)
        t_cached, _c = best(lambda ind=ind: selectors.series(ind), a.repeat)
        print(line + f"  cached {t_cached:6.3f} s")


if __name__ == "__main__":
    main()

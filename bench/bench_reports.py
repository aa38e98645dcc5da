"""Benchmarks of the reporting core (run by hand: ``bench/run.sh``; never a timed test).

1. bulk-load N demo reports (generate + load, through ``drugscene demo --no-serve``);
2. bbox + time-window API queries over them: p50 / p95 latency through the HTTP stack;
3. map data for ~100,000 points: in-database H3 aggregation versus the reference way
   (fetch every point, h3-py ``cell_to_parent`` per point, ``collections.Counter``),
   measured in the same run, printed as a ratio, with the two results compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drugscene.settings")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--skip-load", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from drugscene.accounts.tokens import create_token, find_user
    from drugscene.cities.models import City
    from drugscene.geo import h3grid
    from drugscene.reports.models import Report

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not args.skip_load:
        t0 = time.perf_counter()
        call_command("demo", reports=args.reports, no_serve=True)
        dt = time.perf_counter() - t0
        print(f"1. bulk load of {args.reports:,} reports (generate + load): {dt:.1f} s "
              f"= {args.reports / dt:,.0f} reports/s")
    city = City.objects.get(slug="demo")
    n = Report.objects.filter(city=city).count()
    print(f"   reports in the demo city: {n:,}")

    _, raw = create_token(find_user("analyst"), "bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    import numpy as np

    rng = np.random.default_rng(1)
    lo = Report.objects.filter(city=city).order_by("occurred_from").values_list(
        "occurred_from", flat=True).first()
    hi = Report.objects.filter(city=city).order_by("-occurred_from").values_list(
        "occurred_from", flat=True).first()
    span = (hi - lo).days - 28
    lat_step, lon_step = 0.009, 0.017  # about 1 x 1 km
    times = []
    counts = []
    for _ in range(args.queries):
        start = lo + __import__("datetime").timedelta(days=int(rng.integers(0, span)))
        end = start + __import__("datetime").timedelta(days=28)
        clon = city.centre_lon + rng.normal(0, 0.02)
        clat = city.centre_lat + rng.normal(0, 0.01)
        bbox = ",".join(f"{v:.5f}" for v in (clon - lon_step, clat - lat_step,
                                              clon + lon_step, clat + lat_step))
        t0 = time.perf_counter()
        r = client.get("/api/v1/reports", {"bbox": bbox, "from": start.isoformat(),
                                           "to": end.isoformat(), "format": "geojson",
                                           "page_size": 100})
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.content[:300]
        counts.append(r.json()["count"])
    q = statistics.quantiles(times, n=20)
    print(f"2. bbox (~2x2 km) + 28-day window, GeoJSON page of 100, {args.queries} queries: "
          f"p50 {statistics.median(times):.1f} ms, p95 {q[18]:.1f} ms "
          f"(matching reports per query: median {int(statistics.median(counts))})")

    # 3. map data for ~100,000 points
    qs = Report.objects.filter(city=city).order_by("-occurred_from")
    cutoff = qs.values_list("occurred_from", flat=True)[min(99_999, n - 1)]
    params = {"from": cutoff.isoformat(), "resolution": 9}
    def median_ms(fn, repeat: int = 5):
        """Median wall time of ``repeat`` calls, and the last result."""
        spent, result = [], None
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = fn()
            spent.append((time.perf_counter() - t0) * 1000)
        return statistics.median(spent), result

    ours_ms, r = median_ms(lambda: client.get("/api/v1/reports/hexagons", params))
    body = r.json()
    ours = {f["id"]: f["properties"]["count"] for f in body["features"]}

    import h3

    def reference():
        pts = list(Report.objects.filter(city=city, occurred_from__gte=cutoff)
                   .values_list("lat", "lon"))
        return Counter(
            h3.cell_to_parent(h3.latlng_to_cell(la, lo_, h3grid.STORE_RESOLUTION), 9)
            for la, lo_ in pts)

    def with_numpy():
        cells = np.array(Report.objects.filter(city=city, occurred_from__gte=cutoff)
                         .values_list("h3_cell", flat=True), dtype=np.int64)
        return np.unique(h3grid.parents(cells, 9), return_counts=True)

    ref_ms, ref = median_ms(reference, 3)
    numpy_ms, (uniq, _) = median_ms(with_numpy, 3)
    same = ours == dict(ref)
    print(f"3. map data (median of 5 runs) for {body['total']:,} points "
          f"-> {len(ours):,} hexagons (res 9):")
    print(f"   drugscene API (SQL aggregation + GeoJSON): {ours_ms:.0f} ms")
    print("   reference (fetch points + h3-py cell and parent per point + Counter, "
          f"no GeoJSON): {ref_ms:.0f} ms -> ratio reference/ours {ref_ms / ours_ms:.1f}x; "
          f"results identical: {same}")
    print(f"   numpy parents over fetched cells: {numpy_ms:.0f} ms ({len(uniq)} cells)")
    one_page, _ = median_ms(lambda: client.get(
        "/api/v1/reports", {"from": cutoff.isoformat(), "format": "geojson", "page_size": 1000}))
    print(f"   for scale: one GeoJSON page of 1,000 raw points takes {one_page:.0f} ms "
          f"(all {body['total']:,} would be ~{one_page * body['total'] / 1000 / 1000:.0f} s)")
    if not same:
        sys.exit("hexagon counts differ from the reference")


if __name__ == "__main__":
    main()

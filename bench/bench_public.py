"""Benchmark of the public page, its hexagon GeoJSON and the comparison (run by hand).

    DATABASE_URL=sqlite:////tmp/ds_public_bench.sqlite3 drugscene demo --no-serve
    DATABASE_URL=sqlite:////tmp/ds_public_bench.sqlite3 drugscene demo --slug gryningsvik \\
        --reports 40000 --no-serve --truth /tmp/truth2.json
    DATABASE_URL=sqlite:////tmp/ds_public_bench.sqlite3 .venv/bin/python bench/bench_public.py

Prints per demo city: its reports, the time of ``GET /public/<city>/hexagons.geojson`` and of
``GET /public/<city>/`` (the first, uncached request, and the mean of five cached ones), the
number of hexagons shown, the time of the comparison figures, and of the comparison PDF.
"""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drugscene.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402

from drugscene.accounts.access import Viewer  # noqa: E402
from drugscene.cities.models import City  # noqa: E402
from drugscene.public.compare import city_figures, resolve  # noqa: E402
from drugscene.public.render import document_pdf  # noqa: E402
from drugscene.reports.models import Report  # noqa: E402


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    t = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return (time.perf_counter() - t) / repeat * 1000, out


def main() -> None:
    client = Client(HTTP_HOST="localhost")
    cities = list(City.objects.filter(public_enabled=True).order_by("pk"))
    client.get("/public/-/")  # load the URL map, templates and modules first
    for city in cities:
        print(f"{city.slug}: {Report.objects.filter(city=city).count():,} reports")
        for url in (f"/public/{city.slug}/hexagons.geojson", f"/public/{city.slug}/"):
            cache.clear()
            first, response = timed(lambda u=url: client.get(u))
            warm, _r = timed(lambda u=url: client.get(u), 5)
            print(f"  GET {url}: {response.status_code}, first {first:.0f} ms, "
                  f"then {warm:.0f} ms, {len(response.content):,} bytes")
        data = json.loads(client.get(f"/public/{city.slug}/hexagons.geojson").content)
        print(f"  hexagons shown: {len(data['features'])}, largest count {data['max']}")
        ms, _f = timed(lambda c=city: city_figures(c))
        print(f"  comparison figures: {ms:.0f} ms")
    if len(cities) >= 2:
        operator = Viewer(user_id=None, is_superuser=True)
        ms, pdf = timed(lambda: document_pdf(resolve(operator, [c.slug for c in cities[:2]])))
        print(f"comparison PDF of {cities[0].slug},{cities[1].slug}: {ms:.0f} ms, "
              f"{len(pdf):,} bytes")


if __name__ == "__main__":
    main()

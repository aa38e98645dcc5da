"""Benchmark of the exports (run by hand) on a demo database of your own.

    DATABASE_URL=sqlite:////tmp/ds_bench.sqlite3 .venv/bin/drugscene migrate
    DATABASE_URL=sqlite:////tmp/ds_bench.sqlite3 .venv/bin/drugscene demo --no-serve \
        --reports 200000
    DATABASE_URL=sqlite:////tmp/ds_bench.sqlite3 .venv/bin/python bench/bench_export.py \
        [--city demo] [--as USER] [--formats gpkg csv geojson]

Runs ``drugscene export reports --city CITY --as USER --format F --out FILE`` for each
format in a subprocess of its own and prints wall time, rows per second, the peak resident
memory of that process (``ru_maxrss``, which includes Python, Django and GDAL: about
120 MB before the first row) and the file size. The target (issue 7): a GeoPackage of
1,000,000 reports in under 1.5 GB of memory. Memory is flat in the number of rows (keyset
chunks of 20,000), so peak memory on 200,000 rows is the memory on 1,000,000; time grows
linearly.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import resource, sys, time
import django
django.setup()
from django.core.management import call_command
import io
err = io.StringIO()
t0 = time.perf_counter()
call_command("export", "reports", "--city", sys.argv[1], "--as", sys.argv[2],
             "--format", sys.argv[3], "--out", sys.argv[4], stderr=err)
dt = time.perf_counter() - t0
print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, err.getvalue().split()[0])
"""


def superuser() -> str:
    out = subprocess.run([sys.executable, "-c", "import django; django.setup();"
                          "from django.contrib.auth import get_user_model as g;"
                          "print(g().objects.filter(is_superuser=True).values_list("
                          "'username', flat=True).first() or '')"],
                         capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "drugscene.settings"})
    return out.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--city", default="demo")
    ap.add_argument("--as", dest="as_user", help="default: the first superuser")
    ap.add_argument("--formats", nargs="+", default=["gpkg", "csv", "geojson"])
    args = ap.parse_args()
    user = args.as_user or superuser()
    if not user:
        sys.exit("No superuser in this database: pass --as USER (an analyst).")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "drugscene.settings"}
    print(f"database: {os.environ.get('DATABASE_URL', '(default)')}; city {args.city}; "
          f"as {user}")
    print(f"{'format':8} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak RSS MB':>12} "
          f"{'file MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats:
            out = Path(tmp) / f"reports.{fmt}"
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD, args.city, user, fmt,
                                   str(out)], capture_output=True, text=True, env=env,
                                  cwd=ROOT)
            if done.returncode:
                sys.exit(done.stderr[-2000:])
            seconds, rss_kb, rows = done.stdout.split()
            total = time.perf_counter() - t0
            print(f"{fmt:8} {int(rows):>9,} {float(seconds):>8.1f} "
                  f"{int(rows) / float(seconds):>9,.0f} {int(rss_kb) / 1024:>12.0f} "
                  f"{out.stat().st_size / 2**20:>8.1f}   (process {total:.1f} s)")


if __name__ == "__main__":
    main()

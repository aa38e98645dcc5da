"""Benchmark of ``drugscene import reports`` (run by hand, not in CI).

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--text-share 0.1] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ds_imports_bench \\
        .venv/bin/python bench/bench_import.py

1. Writes a CSV of ``--rows`` rows in the default format (``id,lon,lat,time,category,text``):
   points spread over a 20 × 20 km city with four districts, times over two years with a
   UTC offset, the drug and disorder categories, and free text on ``--text-share`` of the
   rows drawn from 500 phrases (a tenth of them with a phone number to scrub).
2. In a fresh database (a SQLite file in a temporary directory, or the PostgreSQL database
   of ``DATABASE_URL``, emptied first) creates the city with ``drugscene city create`` and
   its police organisation, then times, each as the real command in a subprocess (Django
   start-up included):
   * ``--dry-run``: reading and validating every row, nothing written;
   * the import itself (validation again, then writing in committed chunks);
   * the same import again, which must add nothing.
3. Prints wall times, rows per second and the ratio to the issue's target (1,000,000 rows
   in 120 s), and checks the report count.

Target (issue 7): 1,000,000 rows in under 2 minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DRUGSCENE = str(ROOT / ".venv" / "bin" / "drugscene")
CATEGORIES = ("open_sale", "open_use", "drug_litter", "stash_found", "gathering", "vandalism")
BBOX = (16.80, 58.95, 17.14, 59.13)  # about 20 x 20 km


def make_csv(path: Path, n: int, text_share: float, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    w, s, e, nn = BBOX
    lon = rng.uniform(w + 0.01, e - 0.01, n).round(6)
    lat = rng.uniform(s + 0.01, nn - 0.01, n).round(6)
    now = int(time.time()) - 86_400
    t = rng.integers(now - 730 * 86_400, now, n)
    cats = np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)]
    phrases = [f"Grupp vid porten {i} - ring 070-{100 + i % 900} 45 67" if i % 10 == 0
               else f"Sprutor och skräp vid entré {i}" for i in range(500)]
    has_text = rng.random(n) < text_share
    which = rng.integers(0, len(phrases), n)
    from datetime import UTC, datetime

    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("id,lon,lat,time,category,text\n")
        lines = []
        for i in range(n):
            stamp = datetime.fromtimestamp(int(t[i]), UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            text = phrases[which[i]] if has_text[i] else ""
            lines.append(f"b{i},{lon[i]},{lat[i]},{stamp},{cats[i]},{text}\n")
            if len(lines) >= 100_000:
                fh.writelines(lines)
                lines.clear()
        fh.writelines(lines)


CPU: list[float] = []  # user + sys seconds of each command run


def run(args: list[str], env: dict, quiet: bool = False) -> float:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([DRUGSCENE, *args], env=env, check=False, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else None)
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    if out.returncode != 0:
        sys.exit(f"drugscene {' '.join(args)} failed ({out.returncode}): {out.stdout}")
    if out.stdout.strip():
        print("   ", out.stdout.strip().replace("\n", "\n    "))
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--text-share", type=float, default=0.1)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    o = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    env = dict(os.environ)
    env["DRUGSCENE_VAR"] = str(tmp)
    env.pop("DRUGSCENE_TESTING", None)
    db = env.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    env["DATABASE_URL"] = db
    vendor = "PostgreSQL" if db.startswith("postgres") else "SQLite"
    if vendor == "PostgreSQL":
        name = db.rsplit("/", 1)[1]
        base = db.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", base, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", base, "-qc", f"CREATE DATABASE {name}"], check=True)
    csv_path = tmp / "reports.csv"
    t = time.perf_counter()
    make_csv(csv_path, o.rows, o.text_share)
    print(f"{o.rows:,} rows written to {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB) "
          f"in {time.perf_counter() - t:.1f} s")
    run(["migrate", "-v", "0"], env)
    run(["city", "create", "--slug", "bench", "--name", "Benchby", "--crs", "EPSG:3006",
         "--bbox", ",".join(map(str, BBOX))], env)
    run(["city", "add-organisation", "--city", "bench", "--name", "Polisen", "--kind",
         "police"], env)
    base_args = ["import", "reports", str(csv_path), "--city", "bench", "--source", "Polisen"]
    print(f"\n{vendor}, {o.rows:,} rows ({o.text_share:.0%} with text)")
    dry = run([*base_args, "--dry-run"], env)
    full = run(base_args, env)
    again = run(base_args, env)
    load = os.getloadavg()[0]
    check = subprocess.run(
        [DRUGSCENE, "shell", "-c",
         "from drugscene.reports.models import Report; print(Report.objects.count())"],
        env=env, check=True, text=True, capture_output=True).stdout.strip()
    cpu = CPU[-3:]
    print(f"\n{'step':<34}{'wall s':>9}{'rows/s':>12}{'CPU s':>9}")
    for (label, secs), c in zip((("validate only (--dry-run)", dry),
                                 ("import (validate + write)", full),
                                 ("re-import (adds nothing)", again)), cpu, strict=True):
        print(f"{label:<34}{secs:>9.1f}{o.rows / secs:>12,.0f}{c:>9.1f}")
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of the largest command: {peak:,.0f} MB")
    print(f"load average (1 min) after the runs: {load:.1f} on {os.cpu_count()} cores. CPU s "
          "is user + sys time of the command: wall time on a busy machine grows with the "
          "load, CPU time hardly does.")
    print(f"reports in the database: {check} (expected {o.rows:,}); "
          f"import time / 120 s target: {full / 120:.2f}")
    if not o.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

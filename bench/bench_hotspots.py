"""Benchmark of the hot-spot analysis (run by hand; never a timed test).

    .venv/bin/python bench/bench_hotspots.py [--points 1000000] [--repeat 3]

1. the whole ``drugscene analyse hotspots POINTS --h3 9 --rings 1`` command on a CSV of
   N demo-city reports, written beforehand: wall time and peak RSS of the subprocess
   (``resource.getrusage(RUSAGE_CHILDREN)``), plus the in-process split between reading the
   CSV (``load_source``) and the analysis (``hotspots.run``);
2. point → H3 cell for the N points: ours (numpy lattice, ``H3Grid.index_of``) against one
   ``h3`` call per point (``h3grid.cells_of`` + searchsorted);
3. Gi* including neighbour construction on >= 100,000 H3 cells: ours (``h3_rings`` +
   ``gi_star``) against the reference way (``h3.grid_disk`` per cell into a dict,
   ``libpysal.weights.W``, ``esda.G_Local(star=True, transform="B", permutations=0)``),
   measured in the same run, with the largest z difference.

Targets (issue 4): command < 3 s and < 1 GB on 1M points; Gi* >= 20x the reference.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drugscene.settings")
ROOT = Path(__file__).resolve().parents[1]


def write_csv(path: Path, n: int) -> None:
    import numpy as np

    from drugscene.demo.model import generate

    r = generate(n_reports=n).reports
    times = np.asarray(r.occurred_from, dtype="datetime64[s]").astype(str)
    lon = np.char.mod("%.6f", r.lon)
    lat = np.char.mod("%.6f", r.lat)
    rows = np.char.add(np.char.add(np.char.add(np.char.add(lon, ","), lat), ","), times)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("lon,lat,time\n")
        fh.write("\n".join(rows.tolist()))
        fh.write("\n")


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def measure_command(csv_path: str, out: str, repeat: int) -> None:
    """Run the command ``repeat`` times; print wall times and RUSAGE_CHILDREN peak RSS.

    Runs in its own small process (no numpy loaded): a child's peak RSS on Linux includes
    the memory of the process that spawned it up to ``exec``, so a big parent (one that
    has just generated a million points) would inflate the figure.
    """
    exe = shutil.which("drugscene", path=str(Path(sys.executable).parent)) or "drugscene"
    cmd = [exe, "analyse", "hotspots", csv_path, "--h3", "9", "--rings", "1", "--out", out]
    walls = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t)
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"walls": walls, "rss_mb": rss_kb / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--csv", help="reuse this points CSV instead of writing one")
    ap.add_argument("--write-csv", help=argparse.SUPPRESS)
    ap.add_argument("--measure-command", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write_csv:
        write_csv(Path(args.write_csv), args.points)
        return
    if args.measure_command:
        measure_command(args.measure_command, args.measure_command + ".cells.csv", args.repeat)
        return
    rows: list[tuple[str, str, str, str]] = []

    tmp = Path(tempfile.mkdtemp(prefix="bench_hotspots_"))
    try:
        csv_path = Path(args.csv) if args.csv else tmp / "points.csv"
        me = [sys.executable, str(Path(__file__).resolve())]
        if not args.csv:
            t = time.perf_counter()
            subprocess.run([*me, "--write-csv", str(csv_path), "--points", str(args.points)],
                           check=True)
            print(f"wrote {args.points:,} demo points to {csv_path} in "
                  f"{time.perf_counter() - t:.1f} s")

        # 1. the whole command, measured from a small helper process
        res = subprocess.run([*me, "--measure-command", str(csv_path), "--repeat",
                              str(args.repeat)], check=True, capture_output=True, text=True)
        m = json.loads(res.stdout.strip().splitlines()[-1])
        walls = m["walls"]
        rows.append(("hotspots command, wall (best / median)",
                     f"{min(walls):.2f} / {statistics.median(walls):.2f} s", "target < 3 s",
                     ""))
        rows.append(("hotspots command, peak RSS", f"{m['rss_mb']:,.0f} MB",
                     "target < 1024 MB", ""))

        import django

        django.setup()
        from drugscene.cli.analyse import hotspots
        from drugscene.cli.analyse.common import load_source

        t_load, source = best(lambda: load_source({"points": str(csv_path)}), 1)
        opts = {"h3": 9, "rings": 1, "out": str(tmp / "c2.csv"), "alpha": 0.05,
                "bins": "fdr"}
        t_run, _ = best(lambda: hotspots.run(opts, source, io.StringIO()), args.repeat)
        rows.append(("  of which: read the CSV (load_source)", f"{t_load:.2f} s", "", ""))
        rows.append(("  of which: grid + counts + Gi* + write (run)", f"{t_run:.2f} s", "", ""))
        t_help = min(_wall([shutil.which("drugscene", path=str(Path(sys.executable).parent))
                            or "drugscene", "analyse", "hotspots", "--help"])
                     for _ in range(args.repeat))
        rows.append(("  start-up: drugscene analyse hotspots --help", f"{t_help:.2f} s", "",
                     ""))

        # 2. point -> cell
        import numpy as np

        from drugscene.analysis.area import from_points
        from drugscene.analysis.grid import h3_grid
        from drugscene.geo import h3grid

        pts = source.points  # type: ignore[attr-defined]
        grid9 = h3_grid(from_points(pts), 9)
        t_ours, pos = best(lambda: grid9.index_of(pts.lon, pts.lat), args.repeat)

        def reference_index():
            c = h3grid.cells_of(pts.lon, pts.lat, 9)
            i = np.minimum(np.searchsorted(grid9.cells, c), grid9.cells.size - 1)
            return np.where(grid9.cells[i] == c, i, -1)

        t_ref, ref = best(reference_index, 1)
        same = "identical" if np.array_equal(pos, ref) else "DIFFERENT"
        rows.append((f"point -> H3 cell, {len(pts):,} points", f"{t_ours:.3f} s",
                     f"{t_ref:.3f} s", f"{t_ref / t_ours:.0f}x ({same})"))

        # 3. Gi* on >= 100,000 cells
        rows.extend(bench_gistar(pts, args.repeat))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    w = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("measure", "drugscene", "reference", "ratio")
    w = [max(a, len(b)) for a, b in zip(w, head, strict=True)]
    print()
    print("  ".join(h.ljust(n) for h, n in zip(head, w, strict=True)))
    print("  ".join("-" * n for n in w))
    for r in rows:
        print("  ".join(c.ljust(n) for c, n in zip(r, w, strict=True)))


def _wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def bench_gistar(pts, repeat: int) -> list[tuple[str, str, str, str]]:
    import esda
    import libpysal
    import numpy as np
    from h3.api import basic_int as h3i
    from shapely.geometry import box, mapping

    from drugscene.analysis.area import from_geojson
    from drugscene.analysis.gistar import gi_star
    from drugscene.analysis.grid import h3_grid
    from drugscene.analysis.neighbours import h3_rings

    x0, y0, x1, y1 = float(pts.lon.min()), float(pts.lat.min()), float(pts.lon.max()), \
        float(pts.lat.max())
    pad = 0.0
    while True:  # grow the points' box until it holds >= 100,000 res-11 cells
        area = from_geojson(dict(mapping(box(x0 - pad, y0 - pad / 2, x1 + pad, y1 + pad / 2))))
        grid = h3_grid(area, 11, pts)
        if grid.n_cells >= 100_000:
            break
        pad += 0.01
    counts = grid.counts(pts)
    cells = grid.cells

    def ours():
        return gi_star(counts, h3_rings(cells, 1))

    def reference():
        where = {c: i for i, c in enumerate(cells.tolist())}
        lists = {i: [where[d] for d in h3i.grid_disk(c, 1) if d != c and d in where]
                 for i, c in enumerate(cells.tolist())}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = libpysal.weights.W(lists, silence_warnings=True)
            return esda.G_Local(counts.astype(float), w, transform="B", star=True,
                                permutations=0)

    t_rings, _ = best(lambda: h3_rings(cells, 1), repeat)
    t_ours, res = best(ours, repeat)
    t_ref, ref = best(reference, 1)
    dz = float(np.max(np.abs(res.z - ref.Zs)))  # type: ignore[attr-defined]
    n = f"{cells.size:,} cells"
    return [
        (f"H3 k=1 neighbours, {n}", f"{t_rings:.3f} s", "", ""),
        (f"Gi* incl. neighbours, {n}", f"{t_ours:.3f} s", f"{t_ref:.2f} s",
         f"{t_ref / t_ours:.0f}x (max |dz| {dz:.1e})"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

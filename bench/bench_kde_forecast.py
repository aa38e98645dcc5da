"""Benchmarks of the heat surface (KDE) and of the hot-spot forecasts (run by hand).

    .venv/bin/python bench/bench_kde_forecast.py [--points 1000000] [--grid 512]
                                                 [--scipy-sample 2000] [--origins 8]

1. KDE of N demo-city reports (projected to EPSG:3006) on a G × G grid, Gaussian and
   quartic kernels: ``drugscene.analysis.kde.kde_xy`` against KDEpy's ``FFTKDE`` on the same
   grid nodes, kernel and bandwidth (for the Gaussian, with KDEpy's own truncation of the
   kernel, and once more with ours, 5 σ), and the largest relative difference between them.
2. scipy's ``gaussian_kde`` (fixed covariance h² I) is far too slow for N points on G² nodes,
   so it runs on a random subsample of ``--scipy-sample`` points and its time is
   **extrapolated linearly in N** (its cost is N × G² kernel evaluations); the ratio is ours
   on all N points against that extrapolation.
3. The whole ``kde()`` call on ``Points`` (projection, study area, grid, mask).
4. Rolling-origin forecasts on the demo city with N reports, H3 resolution 9, weekly
   steps, 5 % coverage: seconds per method.

Times are the best of ``--repeat`` runs (wall clock, ``time.perf_counter``).
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np


def best(fn, repeat: int) -> tuple[float, object]:
    out, t = None, math.inf
    for _ in range(repeat):
        tic = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - tic)
    return t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--grid", type=int, default=512)
    ap.add_argument("--scipy-sample", type=int, default=2000)
    ap.add_argument("--origins", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-forecast", action="store_true")
    args = ap.parse_args()

    from KDEpy import FFTKDE
    from scipy import stats

    from drugscene.analysis import area as study
    from drugscene.analysis import kde
    from drugscene.analysis.points import Points
    from drugscene.demo.model import generate

    print(f"cores: {os.cpu_count()}, N = {args.points:,} points, grid {args.grid} × {args.grid}")
    tic = time.perf_counter()
    city = generate(n_reports=args.points)
    r = city.reports
    pts = Points(np.asarray(r.lon, dtype=float), np.asarray(r.lat, dtype=float),
                 np.asarray(r.occurred_from, dtype=np.int64), None, "demo")
    print(f"demo city generated in {time.perf_counter() - tic:.1f} s")
    x, y = kde.project_points(pts, "EPSG:3006")
    g = args.grid
    span = max(x.max() - x.min(), y.max() - y.min()) * 1.02
    cs = span / g
    x0 = (x.min() + x.max()) / 2 - span / 2
    y0 = (y.min() + y.max()) / 2 - span / 2
    xs = x0 + (np.arange(g) + 0.5) * cs
    ys = y0 + (np.arange(g) + 0.5) * cs
    nodes = np.array(np.meshgrid(xs, ys, indexing="ij")).reshape(2, -1).T
    data = np.column_stack([x, y])
    print(f"cell size {cs:.1f} m\n")

    rows = []
    for kernel, kb, h in (("gaussian", "gaussian", 150.0), ("quartic", "biweight", 400.0)):
        bw = h if kernel == "gaussian" else h / math.sqrt(7.0)

        def ref(kb=kb, bw=bw):
            return FFTKDE(kernel=kb, bw=bw).fit(data).evaluate(nodes)

        t_ref, dens_ref = best(ref, args.repeat)
        est = FFTKDE(kernel=kb, bw=bw)
        trunc = est.kernel.practical_support(bw) / bw if kernel == "gaussian" else None

        def ours(kernel=kernel, h=h, trunc=trunc):
            return kde.kde_xy(x, y, x0=x0, y0=y0, cell_size=cs, nx=g, ny=g, bandwidth=h,
                              kernel=kernel, truncate=trunc)

        t_ours, dens = best(ours, args.repeat)
        want = np.asarray(dens_ref).reshape(g, g).T * len(x) * 1e6
        got = np.asarray(dens)
        m = want > 1e-3 * want.max()
        diff = float(np.max(np.abs(got[m] - want[m]) / want[m]))
        label = f"{kernel} h={h:g} m" + (f" (KDEpy window {trunc:.2f} σ)" if trunc else "")
        rows.append((label, t_ours, t_ref, diff))
        if kernel == "gaussian":
            t_def, _ = best(lambda h=h: kde.kde_xy(x, y, x0=x0, y0=y0, cell_size=cs, nx=g,
                                                     ny=g, bandwidth=h), args.repeat)
            rows.append((f"gaussian h={h:g} m, our default 5 σ window", t_def, t_ref, math.nan))

    print(f"{'KDE, N points → G² grid':<52} {'ours s':>8} {'KDEpy s':>8} {'KDEpy/ours':>10} "
          f"{'max rel diff':>12}")
    for label, a, b, d in rows:
        dd = "" if math.isnan(d) else f"{d:.1e}"
        print(f"{label:<52} {a:>8.3f} {b:>8.3f} {b / a:>10.1f} {dd:>12}")

    # scipy gaussian_kde on a subsample, extrapolated linearly in N
    h = 150.0
    rng = np.random.default_rng(0)
    sub = rng.choice(len(x), args.scipy_sample, replace=False)

    class Iso(stats.gaussian_kde):
        def _compute_covariance(self):
            self.factor = 1.0
            self.covariance = np.eye(2) * h * h
            self.cho_cov = np.eye(2) * h
            self.log_det = 2 * np.log(np.diag(self.cho_cov * np.sqrt(2 * np.pi))).sum()

    sk = Iso(np.vstack([x[sub], y[sub]]))
    tic = time.perf_counter()
    sp = sk(nodes.T).reshape(g, g).T * sub.size * 1e6
    t_sub = time.perf_counter() - tic
    t_full = t_sub * len(x) / sub.size
    mine_sub = kde.kde_xy(x[sub], y[sub], x0=x0, y0=y0, cell_size=cs, nx=g, ny=g, bandwidth=h)
    m = sp > 1e-2 * sp.max()
    d_sp = float(np.max(np.abs(mine_sub[m] - sp[m]) / sp[m]))
    t_ours = best(lambda: kde.kde_xy(x, y, x0=x0, y0=y0, cell_size=cs, nx=g, ny=g,
                                     bandwidth=h), args.repeat)[0]
    print(f"\nscipy gaussian_kde (h² I), {sub.size:,} points × {g * g:,} nodes: {t_sub:.2f} s; "
          f"extrapolated linearly to {len(x):,} points: {t_full:,.0f} s")
    print(f"ours on all {len(x):,} points (5 σ window): {t_ours:.3f} s → "
          f"{t_full / t_ours:,.0f}× faster; on the subsample, max rel diff to scipy where "
          f"density > 1 % of max: {d_sp:.1e} (binning error, cell {cs:.0f} m vs h {h:g} m)")

    area = study.from_points(pts)
    t_pipe, grid = best(lambda: kde.kde(pts, area, "EPSG:3006", cell_size=round(cs),
                                        bandwidth=400, kernel="quartic"), 1)
    print(f"\nwhole kde() on Points (projection, area, grid {grid.nx}×{grid.ny}, mask): "
          f"{t_pipe:.2f} s")

    if args.skip_forecast:
        return
    from drugscene.analysis.forecast import rolling_origin
    from drugscene.analysis.grid import h3_grid

    tic = time.perf_counter()
    hg = h3_grid(area, 9, pts)
    t_grid = time.perf_counter() - tic
    tic = time.perf_counter()
    rep = rolling_origin(pts, hg, "EPSG:3006", step_seconds=7 * 86_400, coverage=0.05,
                         origins=args.origins)
    total = time.perf_counter() - tic
    print(f"\nforecasts on {len(pts):,} reports, H3 res 9 ({hg.n_cells:,} cells, built in "
          f"{t_grid:.2f} s), weekly, {len(rep.origins)} origins, 5 % coverage; total "
          f"{total:.1f} s (cube and bookkeeping included)")
    print(f"{'method':<14} {'s total':>8} {'s/origin':>9} {'hit rate':>9} {'PAI':>7} "
          f"{'PEI':>6}  verdict")
    verdicts = {c.method: c.verdict for c in rep.comparisons}
    for m in rep.methods:
        mm = rep.means(m)
        print(f"{m:<14} {rep.seconds[m]:>8.2f} {rep.seconds[m] / len(rep.origins):>9.3f} "
              f"{mm['hit_rate']:>9.3f} {mm['pai']:>7.2f} {mm['pei']:>6.3f}  {verdicts[m]}")
    for line in rep.sepp_fits[-2:]:
        print(f"  SEPP {line}")


if __name__ == "__main__":
    main()

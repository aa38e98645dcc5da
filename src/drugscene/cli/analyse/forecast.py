"""``drugscene analyse forecast``: next-period hot-spot forecasts scored on a rolling origin."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

from drugscene.analysis import forecast as fc
from drugscene.analysis import grid as grids
from drugscene.analysis.errors import AnalysisError
from drugscene.cli.analyse.common import Source

HELP = ("next-period hot-spot forecasts (prior counts, recency-weighted KDE, self-exciting "
        "point process) scored by hit rate, PAI and PEI on a rolling origin")


def add_arguments(parser) -> None:
    cells = parser.add_mutually_exclusive_group()
    cells.add_argument("--h3", type=int, help="H3 resolution of the cells (default 9)")
    cells.add_argument("--square", type=float, metavar="M",
                       help="square cells of M metres instead of H3")
    parser.add_argument("--step", default="7d", help="forecast period: 24h, 7d, 2w (default 7d)")
    parser.add_argument("--coverage", type=float, default=0.05,
                        help="share of cells flagged, 0 < a < 1 (default 0.05)")
    parser.add_argument("--origins", type=int, default=8,
                        help="number of forecast origins, the last N steps (default 8)")
    parser.add_argument("--methods", default=",".join(fc.DEFAULT_METHODS),
                        help="comma-separated subset of " + ", ".join(fc.DEFAULT_METHODS))
    parser.add_argument("--prior-k", type=int, default=4,
                        help="steps averaged by prior_mean (default 4)")
    parser.add_argument("--half-life", type=float, default=14.0,
                        help="recency_kde half-life in days (default 14)")
    parser.add_argument("--kde-bandwidth", type=float, default=150.0,
                        help="recency_kde Gaussian bandwidth in metres (default 150)")
    parser.add_argument("--sepp-days", type=float, default=90.0,
                        help="SEPP fit window in days before each origin (default 90)")
    parser.add_argument("--background-bandwidth", type=float, default=50.0,
                        help="SEPP background KDE bandwidth in metres (default 50)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the SEPP E-step sample on very dense data (default 0)")
    parser.add_argument("--out", required=True, help="output CSV of the scores")


def _day(seconds: int) -> str:
    return datetime.fromtimestamp(int(seconds), tz=UTC).strftime("%Y-%m-%d")


def _f(v: float, spec: str) -> str:
    return "–" if not math.isfinite(v) else format(v, spec)


def run(options: dict, source: Source, out) -> None:
    out_path = Path(options["out"])
    if not out_path.parent.exists():
        raise AnalysisError(f"The folder of --out does not exist: {out_path.parent}")
    step = grids.parse_step(options.get("step") or "7d")
    methods = [m.strip() for m in (options.get("methods") or "").split(",") if m.strip()]
    if options.get("square"):
        grid = grids.square_grid(source.area, float(options["square"]), source.metric_crs,
                                 source.points)
    else:
        res = options.get("h3")
        grid = grids.h3_grid(source.area, 9 if res is None else int(res), source.points)
    sepp = fc.SeppOptions(fit_days=float(options.get("sepp_days") or 90.0),
                          background_bandwidth_m=float(options.get("background_bandwidth")
                                                       or 50.0),
                          seed=int(options.get("seed") or 0))
    origins = options.get("origins")
    report = fc.rolling_origin(
        source.points, grid, source.metric_crs, step_seconds=step,
        coverage=float(options.get("coverage") if options.get("coverage") is not None
                       else 0.05),
        origins=8 if origins is None else int(origins), methods=methods or fc.DEFAULT_METHODS,
        prior_k=int(options.get("prior_k") or 4),
        half_life_days=float(options.get("half_life") or 14.0),
        kde_bandwidth_m=float(options.get("kde_bandwidth") or 150.0), sepp=sepp,
        area=source.area)
    report.to_csv(out_path)
    Path(f"{out_path}.json").write_text(json.dumps({
        "cells": grid.describe(), "n_cells": report.n_cells, "study_area": report.study_area,
        "step_seconds": report.step_seconds, "coverage": report.coverage,
        "origins": [_day(o) for o in report.origins], "methods": report.methods,
        "seconds": report.seconds, "sepp_fits": report.sepp_fits, "notes": report.notes,
        "verdicts": {c.method: c.verdict for c in report.comparisons},
    }, indent=2, ensure_ascii=False), encoding="utf-8")

    w = out.write
    w(f"Forecasts on {grid.describe()}.\n")
    w(f"Step {step / 86400:g} days, {len(report.origins)} origins "
      f"({_day(report.origins[0])} … {_day(report.origins[-1])}), flagging "
      f"{report.rows[0].flagged_cells} of {report.n_cells:,} cells "
      f"({report.rows[0].flagged_cells / report.n_cells:.1%} of the area).\n\n")
    w(f"{'origin':<11} {'method':<14} {'events':>6} {'hit rate':>8} {'PAI':>7} {'PEI':>6}\n")
    for r in report.rows:
        w(f"{_day(r.origin):<11} {r.method:<14} {r.events:>6} {_f(r.hit_rate, '.3f'):>8} "
          f"{_f(r.pai, '.2f'):>7} {_f(r.pei, '.3f'):>6}\n")
    w("\nMeans over the origins, each method against the naive prior_counts (paired, "
      "one-sided Wilcoxon signed-rank on PAI, α = 0.05):\n")
    w(report.verdict_table() + "\n")
    if report.sepp_fits:
        w("\nSEPP fits (Mohler et al. 2011):\n")
        for line in report.sepp_fits:
            w(f"  {line}\n")
    w("\nSeconds per method: " + ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items())
      + "\n")
    for note in report.notes:
        w(f"Note: {note}\n")
    w("A forecast extrapolates recorded reports: it inherits where people report and where "
      "patrols go, and patrolling flagged cells creates more reports there.\n")
    w(f"Wrote {out_path} (+ {out_path}.json).\n")

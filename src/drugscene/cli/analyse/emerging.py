"""``drugscene analyse emerging``: emerging hot spots (new, intensifying, persistent, ...).

    drugscene analyse emerging POINTS --h3 9 --rings 1 --step 7d --out cells.csv
        [--alpha 0.05] [--no-fdr] [--geojson F] [--png F] [--svg F]

Builds a space-time cube of H3 cells × time steps over the study area, computes Gi* per
time step, a Mann-Kendall trend of each cell's Gi* z-scores, and puts every cell into one of
Esri's emerging-hot-spot categories. Writes ``cell,category,trend_z,trend_p,n_hot,n_cold,
final_z,final_p`` for every cell of the study area plus a ``.json`` sidecar with the
metadata. See ``docs/analysis/emerging-hot-spots.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from drugscene.analysis.emerging import CATEGORIES, LABELS, EmergingResult, emerging_hot_spots
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.grid import h3_grid, parse_step, space_time_cube
from drugscene.analysis.neighbours import h3_rings
from drugscene.analysis.points import parse_time
from drugscene.cli.analyse.common import Source, iso

HELP = ("Emerging hot spots (Esri's categories: new, consecutive, intensifying, persistent, "
        "diminishing, sporadic, oscillating, historical) from Gi* per time step and a "
        "Mann-Kendall trend per cell; writes cell,category,trend_z,trend_p,n_hot,n_cold,"
        "final_z,final_p.")

HEADER = ("cell", "category", "trend_z", "trend_p", "n_hot", "n_cold", "final_z", "final_p")
REFERENCES = (
    "Esri. How Emerging Hot Spot Analysis works. ArcGIS Pro tool reference, Space Time "
    "Pattern Mining toolbox.",
    "Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance "
    "statistics. Geographical Analysis 24(3), 189-206.",
    "Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional "
    "issues and an application. Geographical Analysis 27(4), 286-306.",
    "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. J. R. Stat. "
    "Soc. B 57(1), 289-300.",
    "Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13(3), 245-259.",
    "Kendall, M. G. (1975). Rank Correlation Methods, 4th ed. Griffin, London.",
)
#: map colours per category (hot: reds, cold: blues), close to what ArcGIS users know
COLOURS = {
    "no_pattern": "#f2f2f2",
    "new_hot": "#67000d", "consecutive_hot": "#a50f15", "intensifying_hot": "#ef3b2c",
    "persistent_hot": "#fb6a4a", "diminishing_hot": "#fc9272", "sporadic_hot": "#fdae6b",
    "oscillating_hot": "#c994c7", "historical_hot": "#bdbdbd",
    "new_cold": "#08306b", "consecutive_cold": "#08519c", "intensifying_cold": "#2171b5",
    "persistent_cold": "#4292c6", "diminishing_cold": "#6baed6", "sporadic_cold": "#9ecae1",
    "oscillating_cold": "#9e9ac8", "historical_cold": "#d9d9d9",
}
#: categories a coordinator should look at first, in order
WATCH = ("new_hot", "consecutive_hot", "intensifying_hot", "persistent_hot", "sporadic_hot",
         "oscillating_hot")
MAX_LISTED = 10
DAY = 86_400


def add_arguments(parser) -> None:
    g = parser.add_argument_group("grid, neighbourhood and time steps")
    g.add_argument("--h3", type=int, metavar="RES", help="H3 resolution 0..15 (e.g. 9)")
    g.add_argument("--rings", type=int, default=1, metavar="K",
                   help="neighbours within K grid steps, the cell itself included (default 1)")
    g.add_argument("--step", default="7d", metavar="STEP",
                   help="length of a time step: 24h, 7d, 2w, ... (default 7d)")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="significance level for hot/cold bins and the trend (default 0.05)")
    parser.add_argument("--no-fdr", action="store_true",
                        help="use raw p-values per bin instead of Benjamini-Hochberg FDR per "
                             "time step")
    parser.add_argument("--out", required=True, metavar="CELLS.csv", help="output CSV")
    parser.add_argument("--geojson", metavar="FILE", help="also write cell polygons")
    parser.add_argument("--png", metavar="FILE", help="also draw a map (PNG)")
    parser.add_argument("--svg", metavar="FILE", help="also draw a map (SVG)")


def _write_csv(path: Path, ids: list[str], res: EmergingResult) -> None:
    codes = res.codes().tolist()
    rows = [f"{c},{k},{tz:.9g},{tp:.9g},{h},{cd},{fz:.9g},{fp:.9g}\n" for c, k, tz, tp, h, cd,
            fz, fp in zip(ids, codes, res.trend_z.tolist(), res.trend_p.tolist(),
                          res.n_hot.tolist(), res.n_cold.tolist(), res.final_z.tolist(),
                          res.final_p.tolist(), strict=True)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        fh.writelines(rows)


def _write_geojson(path: Path, rings: list, ids: list[str], res: EmergingResult,
                   meta: dict) -> None:
    codes = res.codes().tolist()
    features = [
        {"type": "Feature", "id": c,
         "geometry": {"type": "Polygon",
                      "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]},
         "properties": {"cell": c, "category": k, "label": LABELS[k], "trend_z": tz,
                        "trend_p": tp, "n_hot": h, "n_cold": cd, "final_z": fz,
                        "final_p": fp, "count": n}}
        for c, ring, k, tz, tp, h, cd, fz, fp, n in zip(
            ids, rings, codes, res.trend_z.tolist(), res.trend_p.tolist(),
            res.n_hot.tolist(), res.n_cold.tolist(), res.final_z.tolist(),
            res.final_p.tolist(), res.counts.sum(axis=1).tolist(), strict=True)
    ]
    doc = {"type": "FeatureCollection", "metadata": meta, "features": features}
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")


def _draw(path: Path, fmt: str, rings: list, res: EmergingResult, area, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    codes = res.codes().tolist()
    fig = Figure(figsize=(8, 8), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.add_collection(PolyCollection([np.asarray(r) for r in rings],
                                     facecolors=[COLOURS[c] for c in codes],
                                     edgecolors="none", linewidths=0))
    allp = np.concatenate([np.asarray(r) for r in rings])
    (minx, miny), (maxx, maxy) = allp.min(axis=0), allp.max(axis=0)
    geom = area.geometry
    for poly in getattr(geom, "geoms", [geom]):
        x, y = poly.exterior.xy
        ax.plot(x, y, color="#333333", linewidth=0.8)
    bx0, by0, bx1, by1 = geom.bounds
    minx, miny, maxx, maxy = min(minx, bx0), min(miny, by0), max(maxx, bx1), max(maxy, by1)
    padx, pady = 0.02 * (maxx - minx), 0.02 * (maxy - miny)
    ax.set_xlim(minx - padx, maxx + padx)
    ax.set_ylim(miny - pady, maxy + pady)
    ax.set_aspect(1 / max(np.cos(np.radians((miny + maxy) / 2)), 1e-6))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    summary = res.summary()
    handles = [Patch(facecolor=COLOURS[c], edgecolor="#999999",
                     label=f"{LABELS[c]} ({summary[c]:,})")
               for c in CATEGORIES if summary[c] or c == "no_pattern"]
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    ax.set_title(title, fontsize=10)
    fig.savefig(path, format=fmt, dpi=150)


def _cube_period(options: dict, t: np.ndarray, step: int) -> tuple[int, int]:
    """``(start, end)`` of the cube: whole steps counted back from the end of the period.

    The end is ``--until``, else the UTC midnight after the last event; the beginning is
    ``--since``, else the UTC midnight before the first event. Steps are laid back from the
    end, so the final step (the one every category hinges on) is complete and a partial
    oldest step is left out instead.
    """
    bounds: list[int | None] = []
    for key in ("since", "until"):
        text = options.get(key)
        if not text:
            bounds.append(None)
            continue
        try:
            bounds.append(parse_time(text))
        except ValueError:
            raise AnalysisError(f"--{key}: not an ISO 8601 date/time: {text}") from None
    begin = bounds[0] if bounds[0] is not None else int(t.min()) // DAY * DAY
    end = bounds[1] if bounds[1] is not None else (int(t.max()) // DAY + 1) * DAY
    n = (end - begin) // step
    return (end - n * step, end) if n >= 1 else (begin, end)


def run(options: dict, source: Source, out) -> None:
    given = options.get("alpha")
    alpha = 0.05 if given is None else float(given)
    if not 0 < alpha < 1:
        raise AnalysisError(f"--alpha must be between 0 and 1, got {alpha}.")
    res_h3 = options.get("h3")
    if res_h3 is None:
        raise AnalysisError("Choose a grid: --h3 RES (e.g. --h3 9), with --rings K.")
    k = options.get("rings", 1)
    if k is None or k < 1:
        raise AnalysisError(f"--rings must be at least 1, got {k}.")
    step = parse_step(options.get("step") or "7d")
    fdr = not options.get("no_fdr")
    pts, area = source.points, source.area
    out_path = Path(options["out"])
    if not out_path.parent.exists():
        raise AnalysisError(f"The folder of --out does not exist: {out_path.parent}")

    grid = h3_grid(area, res_h3, pts)
    nb = h3_rings(grid.cells, k)
    start, end = _cube_period(options, pts.t, step)
    cube = space_time_cube(grid, pts, step, start, end)
    result = emerging_hot_spots(cube, nb, alpha=alpha, fdr=fdr)
    ids = grid.cell_ids()
    summary = result.summary()
    n_in = int(cube.counts.sum())

    notes = list(result.notes)
    if pts.category is not None and not options.get("category"):
        cats = sorted({str(c) for c in np.unique(pts.category).tolist() if str(c)})
        notes.insert(0, f"The points have a category column ({len(cats)} categories); "
                        "--category was not given, so all categories were analysed together. "
                        "Use --category open_sale,open_use (for example) to narrow.")
    edges = result.edges
    meta = {
        "command": "drugscene analyse emerging",
        "method": "Emerging hot spot analysis after Esri (ArcGIS Pro): Getis-Ord Gi* per "
                  "time step (binary H3 k-ring weights, the cell itself included, "
                  "two-sided p), " + ("Benjamini-Hochberg FDR per time step, " if fdr else "")
                  + "Mann-Kendall trend on each cell's Gi* z-scores, Esri's 17 categories",
        "references": list(REFERENCES),
        "study_area": {"kind": area.kind, "label": area.label, "description": area.describe()},
        "grid": {"type": "h3", "resolution": grid.resolution, "n_cells": grid.n_cells},
        "neighbourhood": {"type": "h3 rings", "rings": k, "includes_the_cell_itself": True},
        "time_steps": {"step_seconds": step, "n_steps": result.n_steps,
                       "first": iso(int(edges[0])), "end_exclusive": iso(int(edges[-1])),
                       "alignment": "whole steps counted back from the end of the period "
                                    "(--until, else the UTC midnight after the last event)"},
        "points_source": pts.origin,
        "n_points": len(pts),
        "n_points_in_cube": n_in,
        "alpha": alpha,
        "fdr": fdr,
        "significant_bin": f"p{'_fdr' if fdr else ''} < {alpha:g}; hot if z > 0, cold if z < 0",
        "cells_per_category": summary,
        "category_labels": LABELS,
        "notes": notes,
        "columns": {
            "cell": "H3 index",
            "category": "machine code: " + ", ".join(CATEGORIES),
            "trend_z": "Mann-Kendall z of the cell's Gi* z-scores over the time steps",
            "trend_p": "two-sided p of that trend",
            "n_hot": "time steps in which the cell is a significant hot spot",
            "n_cold": "time steps in which the cell is a significant cold spot",
            "final_z": "Gi* z-score in the final time step",
            "final_p": "p-value that decided significance in the final step"
                       + (" (BH FDR-adjusted)" if fdr else " (raw)"),
        },
    }
    _write_csv(out_path, ids, result)
    side = out_path.with_name(out_path.name + ".json")
    side.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written = [str(out_path), str(side)]
    rings = grid.cell_polygons_lonlat() if (options.get("geojson") or options.get("png")
                                            or options.get("svg")) else []
    if options.get("geojson"):
        _write_geojson(Path(options["geojson"]), rings, ids, result, meta)
        written.append(options["geojson"])
    title = (f"Emerging hot spots: H3 res {grid.resolution}, {k} ring(s), "
             f"{result.n_steps} steps of {step / 86_400:g} days\n"
             f"{iso(int(edges[0]))[:10]} to {iso(int(edges[-1]))[:10]}; alpha {alpha:g}"
             f"{' (FDR)' if fdr else ''}")
    for fmt in ("png", "svg"):
        if options.get(fmt):
            _draw(Path(options[fmt]), fmt, rings, result, area, title)
            written.append(options[fmt])

    out.write(f"Study area: {area.describe()}\n")
    out.write(f"Grid: {grid.describe()}; neighbourhood {k} ring(s), the cell itself included\n")
    out.write(f"Time: {result.n_steps} steps of {step / 86_400:g} days, "
              f"{iso(int(edges[0]))} to {iso(int(edges[-1]))} (counted back from the end, "
              "so the final step is whole)\n")
    out.write(f"Points: {len(pts):,}; in the cube: {n_in:,}\n")
    out.write(f"A bin is significant at p{'_fdr' if fdr else ''} < {alpha:g}; the trend "
              "is Mann-Kendall on each cell's Gi* z-scores.\n")
    for note in notes:
        out.write(f"Note: {note}\n")
    width = max(len(LABELS[c]) for c in CATEGORIES)
    out.write(f"\n{'category':<{width}}  {'code':<18} {'cells':>8}\n")
    for c in CATEGORIES:
        if summary[c] or c == "no_pattern":
            out.write(f"{LABELS[c]:<{width}}  {c:<18} {summary[c]:>8,}\n")
    out.write(f"{'total':<{width}}  {'':<18} {len(result):>8,}\n")
    watch = [CATEGORIES.index(c) for c in WATCH]
    listed = np.flatnonzero(np.isin(result.category, watch))
    if listed.size:
        rank = np.argsort([watch.index(int(result.category[i])) for i in listed.tolist()],
                          kind="stable")
        lon, lat = grid.centroids()
        out.write("\nCells to look at first (centre lon, lat):\n")
        for i in listed[rank][:MAX_LISTED].tolist():
            code = CATEGORIES[int(result.category[i])]
            out.write(f"  {ids[i]}  {LABELS[code]:<{width}}  {lon[i]:.5f}, {lat[i]:.5f}  "
                      f"hot in {int(result.n_hot[i])}/{result.n_steps} steps, "
                      f"trend z {result.trend_z[i]:+.2f}\n")
        if listed.size > MAX_LISTED:
            out.write(f"  ... and {listed.size - MAX_LISTED} more in {out_path}\n")
    out.write("Wrote " + ", ".join(written) + "\n")


__all__ = ["HELP", "add_arguments", "run"]

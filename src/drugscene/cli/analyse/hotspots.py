"""``drugscene analyse hotspots``: Getis–Ord Gi* hot and cold spots on a grid.

    drugscene analyse hotspots POINTS --h3 9 --rings 1 --out cells.csv [--geojson F] [--png F]
    drugscene analyse hotspots POINTS --cell-size 200 --distance 450 --out cells.csv

Writes every cell of the study area, zeros included, as ``cell,count,z,p,p_fdr,bin``
(H3 index, or ``r{row}c{col}`` on a square grid), a sidecar ``CELLS.csv.json`` with the
metadata (study area, grid, neighbourhood, points inside/outside, method and sources),
and optionally GeoJSON polygons and a PNG/SVG map. See ``docs/analysis/hotspots.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.gistar import GiStar, gi_star
from drugscene.analysis.grid import H3Grid, SquareGrid, h3_grid, square_grid
from drugscene.analysis.neighbours import Neighbours, distance_band, h3_rings
from drugscene.cli.analyse.common import Source, iso

HELP = ("Getis-Ord Gi* hot and cold spots per H3 cell (k rings) or square cell (distance "
        "band), with Benjamini-Hochberg FDR; writes cell,count,z,p,p_fdr,bin.")

HEADER = ("cell", "count", "z", "p", "p_fdr", "bin")
REFERENCES = (
    "Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance "
    "statistics. Geographical Analysis 24(3), 189-206.",
    "Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: "
    "distributional issues and an application. Geographical Analysis 27(4), 286-306.",
    "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical "
    "and powerful approach to multiple testing. J. R. Stat. Soc. B 57(1), 289-300.",
)
#: below this many cells the summary warns that Gi* has too little background to go on
MIN_CELLS = 30
#: relative slack on --distance so that centres exactly one band apart are neighbours
DISTANCE_SLACK = 1e-9
BIN_COLOURS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", 0: "#f0f0f0",
               -1: "#d1e5f0", -2: "#67a9cf", -3: "#2166ac"}
BIN_LABELS = {3: "hot, 99 %", 2: "hot, 95 %", 1: "hot, 90 %", 0: "not significant",
              -1: "cold, 90 %", -2: "cold, 95 %", -3: "cold, 99 %"}


def add_arguments(parser) -> None:
    g = parser.add_argument_group("grid and neighbourhood (H3 rings, or squares + band)")
    g.add_argument("--h3", type=int, metavar="RES", help="H3 resolution 0..15 (e.g. 9)")
    g.add_argument("--rings", type=int, default=1, metavar="K",
                   help="with --h3: neighbours within K grid steps (default 1)")
    g.add_argument("--cell-size", type=float, metavar="M",
                   help="square cells of M metres in the metric CRS (instead of --h3)")
    g.add_argument("--distance", type=float, metavar="M",
                   help="with --cell-size: neighbours whose centres are within M metres")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="false discovery rate for the hot/cold summary (default 0.05)")
    parser.add_argument("--bins", choices=("fdr", "raw"), default="fdr",
                        help="confidence bins from BH-adjusted p (default) or raw p")
    parser.add_argument("--out", required=True, metavar="CELLS.csv", help="output CSV")
    parser.add_argument("--geojson", metavar="FILE", help="also write cell polygons")
    parser.add_argument("--png", metavar="FILE", help="also draw a map (PNG)")
    parser.add_argument("--svg", metavar="FILE", help="also draw a map (SVG)")


def _grid_and_neighbours(options: dict, source: Source
                         ) -> tuple[H3Grid | SquareGrid, Neighbours, dict[str, Any]]:
    res, cell, band = options.get("h3"), options.get("cell_size"), options.get("distance")
    if res is not None and (cell is not None or band is not None):
        raise AnalysisError("Give either --h3 RES --rings K, or --cell-size M --distance M, "
                            "not both.")
    if cell is not None or band is not None:
        if cell is None or band is None:
            raise AnalysisError("A distance band needs both --cell-size M and --distance M.")
        if not np.isfinite(band) or band <= 0:
            raise AnalysisError(f"--distance must be a positive number of metres, got {band}.")
        sq = square_grid(source.area, cell, source.metric_crs, source.points)
        x, y = sq.centres_xy()
        nb = distance_band(x, y, band * (1 + DISTANCE_SLACK))
        meta = {"grid": {"type": "square", "crs": sq.crs, "cell_size_m": sq.cell_size,
                         "x0": sq.x0, "y0": sq.y0, "nx": sq.nx, "ny": sq.ny,
                         "n_cells": sq.n_cells,
                         "cell_id": "r{row}c{col}: row northward, column eastward from "
                                    "(x0, y0)"},
                "neighbourhood": {"type": "distance band", "distance_m": band,
                                  "includes_the_cell_itself": True}}
        return sq, nb, meta
    if res is None:
        raise AnalysisError("Choose a grid: --h3 RES (with --rings K), or --cell-size M "
                            "with --distance M.")
    k = options.get("rings", 1)
    if k is None or k < 1:
        raise AnalysisError(f"--rings must be at least 1, got {k}.")
    hg = h3_grid(source.area, res, source.points)
    nb = h3_rings(hg.cells, k, centres=hg.centroids())
    meta = {"grid": {"type": "h3", "resolution": hg.resolution, "n_cells": hg.n_cells},
            "neighbourhood": {"type": "h3 rings", "rings": k,
                              "includes_the_cell_itself": True}}
    return hg, nb, meta


def _write_csv(path: Path, ids: list[str], counts: np.ndarray, gi: GiStar) -> None:
    rows = [f"{c},{n},{z:.9g},{p:.9g},{q:.9g},{b}\n" for c, n, z, p, q, b in zip(
        ids, counts.tolist(), gi.z.tolist(), gi.p.tolist(), gi.p_fdr.tolist(),
        gi.bin.tolist(), strict=True)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        fh.writelines(rows)


def _write_geojson(path: Path, grid: H3Grid | SquareGrid, ids: list[str], counts: np.ndarray,
                   gi: GiStar, meta: dict) -> None:
    rings = grid.cell_polygons_lonlat()
    features = [
        {"type": "Feature", "id": c,
         "geometry": {"type": "Polygon",
                      "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]},
         "properties": {"cell": c, "count": n, "z": z, "p": p, "p_fdr": q, "bin": b}}
        for c, ring, n, z, p, q, b in zip(ids, rings, counts.tolist(), gi.z.tolist(),
                                          gi.p.tolist(), gi.p_fdr.tolist(), gi.bin.tolist(),
                                          strict=True)
    ]
    doc = {"type": "FeatureCollection", "metadata": meta, "features": features}
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")


def _draw(path: Path, fmt: str, grid: H3Grid | SquareGrid, gi: GiStar, meta: dict) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rings = grid.cell_polygons_lonlat()
    bins = gi.bin.astype(int)
    fig = Figure(figsize=(8, 8), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    colours = [BIN_COLOURS[b] for b in bins.tolist()]
    ax.add_collection(PolyCollection([np.asarray(r) for r in rings], facecolors=colours,
                                     edgecolors="none", linewidths=0))
    allp = np.concatenate([np.asarray(r) for r in rings])
    minx, miny = allp.min(axis=0)
    maxx, maxy = allp.max(axis=0)
    if grid.area is not None:
        geom = grid.area.geometry
        for poly in getattr(geom, "geoms", [geom]):
            x, y = poly.exterior.xy
            ax.plot(x, y, color="#333333", linewidth=0.8, label="_study area")
        bx0, by0, bx1, by1 = geom.bounds
        minx, miny, maxx, maxy = min(minx, bx0), min(miny, by0), max(maxx, bx1), max(maxy, by1)
    padx, pady = 0.02 * (maxx - minx), 0.02 * (maxy - miny)
    ax.set_xlim(minx - padx, maxx + padx)
    ax.set_ylim(miny - pady, maxy + pady)
    ax.set_aspect(1 / max(np.cos(np.radians((miny + maxy) / 2)), 1e-6))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    handles = [Patch(facecolor=BIN_COLOURS[b], edgecolor="#999999",
                     label=f"{BIN_LABELS[b]} ({int((bins == b).sum()):,})")
               for b in (3, 2, 1, 0, -1, -2, -3)]
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9,
              title=f"Gi* bin ({'BH FDR' if gi.fdr else 'raw p'})", title_fontsize=8)
    g, nbm = meta["grid"], meta["neighbourhood"]
    grid_text = (f"H3 res {g['resolution']}, {nbm['rings']} ring(s)" if g["type"] == "h3"
                 else f"{g['cell_size_m']:g} m squares, {nbm['distance_m']:g} m band")
    ax.set_title(f"Getis-Ord Gi* hot spots: {grid_text}\nstudy area: "
                 f"{meta['study_area']['description']}", fontsize=10)
    fig.savefig(path, format=fmt, dpi=150)


def run(options: dict, source: Source, out) -> None:
    alpha = options.get("alpha")
    alpha = 0.05 if alpha is None else float(alpha)
    if not 0 < alpha < 1:
        raise AnalysisError(f"--alpha must be between 0 and 1, got {alpha}.")
    pts, area = source.points, source.area
    grid, nb, meta = _grid_and_neighbours(options, source)
    counts = grid.counts(pts)
    n_in = int(counts.sum())
    n_out = len(pts) - n_in
    if n_in == 0:
        raise AnalysisError(
            f"None of the {len(pts):,} points lies inside the study area "
            f"({area.describe()}); check --area and the coordinates (lon,lat order, WGS84).")
    fdr = options.get("bins", "fdr") != "raw"
    gi = gi_star(counts, nb, fdr=fdr)
    ids = grid.cell_ids()

    hot = int(((gi.z > 0) & (gi.p_fdr < alpha)).sum())
    cold = int(((gi.z < 0) & (gi.p_fdr < alpha)).sum())
    by_bin = {str(b): int((gi.bin == b).sum()) for b in range(3, -4, -1)}
    card = nb.cardinality()
    meta = {
        "command": "drugscene analyse hotspots",
        "method": "Getis-Ord Gi* (binary weights, the cell itself included), analytical "
                  "z under randomisation, two-sided normal p, Benjamini-Hochberg FDR",
        "references": list(REFERENCES),
        "study_area": {"kind": area.kind, "label": area.label,
                       "description": area.describe()},
        **meta,
        "neighbours_per_cell": {"min": int(card.min()), "median": float(np.median(card)),
                                "max": int(card.max())},
        "points_source": pts.origin,
        "n_points": len(pts),
        "n_points_inside": n_in,
        "n_points_outside": n_out,
        "period": {"first": iso(int(pts.t.min())), "last": iso(int(pts.t.max()))},
        "alpha": alpha,
        "bins_from": "p_fdr" if fdr else "p",
        "bin_levels": {"3": "p < 0.01", "2": "p < 0.05", "1": "p < 0.10",
                       "sign": "+ hot (z > 0), - cold (z < 0)"},
        "hot_cells_at_alpha": hot,
        "cold_cells_at_alpha": cold,
        "cells_per_bin": by_bin,
        "columns": {"cell": "H3 index" if meta["grid"]["type"] == "h3" else "r{row}c{col}",
                    "count": "events inside the study area in the cell",
                    "z": "Gi* z-score", "p": "two-sided normal p-value",
                    "p_fdr": "Benjamini-Hochberg adjusted p",
                    "bin": "confidence bin -3..3"},
    }

    out_path = Path(options["out"])
    out_path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(out_path, ids, counts, gi)
    side = out_path.with_name(out_path.name + ".json")
    side.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written = [str(out_path), str(side)]
    if options.get("geojson"):
        _write_geojson(Path(options["geojson"]), grid, ids, counts, gi, meta)
        written.append(options["geojson"])
    for fmt in ("png", "svg"):
        if options.get(fmt):
            _draw(Path(options[fmt]), fmt, grid, gi, meta)
            written.append(options[fmt])

    zero_share = float((counts == 0).mean())
    out.write(f"Study area: {area.describe()}\n")
    out.write(f"Grid: {grid.describe()}\n")
    nbm = meta["neighbourhood"]
    nb_text = (f"{nbm['rings']} H3 ring(s)" if nbm["type"] == "h3 rings"
               else f"centres within {nbm['distance_m']:g} m")
    out.write(f"Neighbourhood: {nb_text}, the cell itself included "
              f"({card.min()}-{card.max()} cells, median {np.median(card):g})\n")
    out.write(f"Points: {len(pts):,}; inside the study area: {n_in:,}; outside (not "
              f"counted): {n_out:,}\n")
    out.write(f"Cells: {grid.n_cells:,}, of which {int((counts == 0).sum()):,} with no "
              "event\n")
    out.write(f"At false discovery rate {alpha:g}: {hot:,} hot cell(s), {cold:,} cold "
              "cell(s)\n")
    out.write("Bins (" + ("BH-adjusted p" if fdr else "raw p") + "): " + ", ".join(
        f"{int(b):+d}: {by_bin[str(b)]:,}" if b else f"0: {by_bin['0']:,}"
        for b in (3, 2, 1, 0, -1, -2, -3)) + "\n")
    if grid.n_cells < MIN_CELLS:
        out.write(f"Note: Very few cells ({grid.n_cells}); the mean and spread of so few "
                  "counts say little about the background, so z and p mean little. Use a "
                  "finer grid or a larger study area.\n")
    if zero_share > 0.5:
        out.write(f"Note: {zero_share:.0%} of the cells have no event; with such sparse "
                  "counts the normal approximation behind z and p is rough. A coarser "
                  "grid or wider neighbourhood gives steadier results.\n")
    out.write("Wrote " + ", ".join(written) + "\n")


__all__ = ["HELP", "add_arguments", "run"]

"""``drugscene analyse kde``: a kernel density heat surface of the events on square cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pyproj import Transformer

from drugscene.analysis import kde as kde_mod
from drugscene.analysis.errors import AnalysisError
from drugscene.cli.analyse.common import Source

HELP = ("kernel density heat surface (binned FFT KDE, Gaussian or quartic kernel) on square "
        "cells: CSV x,y,lon,lat,density in events per km², optional PNG/SVG/GeoTIFF")


def add_arguments(parser) -> None:
    parser.add_argument("--cell-size", type=float, default=50.0,
                        help="side of the square cells in metres (default 50)")
    parser.add_argument("--bandwidth", default="scott",
                        help="metres (gaussian: standard deviation; quartic: radius), or "
                             "'scott' / 'silverman' (default scott)")
    parser.add_argument("--kernel", choices=kde_mod.KERNELS, default="quartic",
                        help="kernel (default quartic, as CrimeStat and ArcGIS)")
    parser.add_argument("--out", required=True, help="output CSV (a .json sidecar is added)")
    parser.add_argument("--png", help="also draw the surface to this PNG file")
    parser.add_argument("--svg", help="also draw the surface to this SVG file")
    parser.add_argument("--geotiff", help="also write a float32 GeoTIFF")


def run(options: dict, source: Source, out) -> None:
    out_path = Path(options["out"])
    if not out_path.parent.exists():
        raise AnalysisError(f"The folder of --out does not exist: {out_path.parent}")
    grid = kde_mod.kde(source.points, source.area, source.metric_crs,
                       cell_size=float(options.get("cell_size") or 50.0),
                       bandwidth=options.get("bandwidth") or "scott",
                       kernel=options.get("kernel") or "quartic")
    rows = grid.to_csv(out_path)
    outline = kde_mod.project_area(source.area, source.metric_crs)
    for key in ("png", "svg"):
        if options.get(key):
            grid.to_image(options[key], outline=outline)
    if options.get("geotiff"):
        grid.to_geotiff(options["geotiff"])
    meta = grid.metadata()
    shown = np.where(grid.inside, grid.density, -np.inf)
    j, i = np.unravel_index(int(np.argmax(shown)), shown.shape)
    xs, ys = grid.centres()
    lon, lat = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True).transform(
        xs[j, i], ys[j, i])
    meaning = meta["bandwidth_meaning"]
    out.write(
        f"Kernel density: {meta['points_used']:,} events in the study area "
        f"({meta['study_area']}); {meta['points_outside_area']:,} outside were left out.\n"
        f"Kernel {grid.kernel}, bandwidth {grid.bandwidth:.1f} m ({meaning}; "
        f"{meta['bandwidth_rule']}), cells {grid.cell_size:g} m in {grid.crs}, "
        f"grid {grid.nx} × {grid.ny}.\n"
        f"Peak {grid.density[j, i]:.4g} {grid.units} at lon {lon:.5f}, lat {lat:.5f}.\n"
        f"Wrote {rows:,} cells to {out_path} (+ {out_path}.json).\n")
    for key in ("png", "svg", "geotiff"):
        if options.get(key):
            out.write(f"Wrote {options[key]}.\n")

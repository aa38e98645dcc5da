"""``drugscene analyse knox``: near repeats, the Knox test over space × time bands.

Counts pairs of events close in space and in time, per band, against random permutations
of the times (the Near Repeat Calculator's table). All points after the filters are used;
with ``--area`` only those inside it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from drugscene.analysis import knox
from drugscene.analysis.errors import AnalysisError

HELP = ("Near repeats: Knox test of space–time interaction over space and time bands, with "
        "Monte Carlo p-values (permuted times).")

COLUMNS = ("space_from_m", "space_to_m", "time_from_days", "time_to_days", "observed",
           "expected", "knox_ratio", "p", "p_low")


def _bands(text: str, flag: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise AnalysisError(f"{flag}: give comma-separated numbers, e.g. 100,200,400 "
                            f"(got {text!r}).") from None
    if not values:
        raise AnalysisError(f"{flag}: give at least one band edge.")
    return values


def add_arguments(parser) -> None:
    parser.add_argument("--space", default="100,200,400",
                        help="upper edges of the space bands in metres (default 100,200,400)")
    parser.add_argument("--time", default="7,14,28",
                        help="upper edges of the time bands in days (default 7,14,28)")
    parser.add_argument("--permutations", type=int, default=99,
                        help="random permutations of the times (default 99)")
    parser.add_argument("--seed", type=int, help="random seed (for reproducible p-values)")
    parser.add_argument("--out", help="write the table as CSV to this file")


def run(options: dict, source, out) -> None:
    points = source.points
    if options.get("area"):
        inside = source.area.contains(points.lon, points.lat)
        if not inside.any():
            raise AnalysisError("No points inside --area.")
        points = points.subset(inside)
    tab = knox.knox_table(points, _bands(options["space"], "--space"),
                          _bands(options["time"], "--time"),
                          permutations=options["permutations"], seed=options.get("seed"),
                          metric_crs=source.metric_crs)
    rows = tab.rows()
    w = out.write
    w(f"Knox test / near repeats: {tab.n_events} events, {tab.n_pairs} pairs within "
      f"{tab.space_edges[-1]:g} m, {tab.permutations} permutations"
      f"{'' if tab.seed is None else f' (seed {tab.seed})'}, {source.metric_crs}\n")
    w("  Knox ratio = observed / mean of the permutations; * p ≤ 0.05, ** p ≤ 0.01 "
      "(more close pairs than chance)\n")
    lows = [0.0, *tab.time_edges[:-1].tolist()]
    heads = [f"{lo:g}–{hi:g} d" for lo, hi in zip(lows, tab.time_edges, strict=True)]
    heads.append(f">{tab.time_edges[-1]:g} d")
    w(f"  {'distance':<14}" + "".join(f"{h:>20}" for h in heads) + "\n")
    width = tab.time_edges.size + 1
    for k in range(tab.space_edges.size):
        cells = rows[k * width:(k + 1) * width]
        label = f"{cells[0]['space_from_m']:g}–{cells[0]['space_to_m']:g} m"
        text = ""
        for c in cells:
            ratio = "n/a" if c["knox_ratio"] is None else f"{c['knox_ratio']:.2f}"
            star = "**" if c["p"] <= 0.01 else "*" if c["p"] <= 0.05 else ""
            text += f"{ratio + star + ' (' + str(c['observed']) + ')':>20}"
        w(f"  {label:<14}{text}\n")
    if tab.permutations < 99:
        w(f"  note: with {tab.permutations} permutations the smallest possible p is "
          f"{1 / (1 + tab.permutations):.3f}\n")
    if options.get("out"):
        with Path(options["out"]).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: ("" if row[k] is None else row[k]) for k in COLUMNS})
        w(f"Wrote {options['out']}\n")

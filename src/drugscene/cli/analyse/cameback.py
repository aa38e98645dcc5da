"""``drugscene analyse cameback``: did the problem come back after an action ended?

Compares the target's rate after the action's end with the rate during the action and
before it (windows as long as the action unless ``--window`` says otherwise), relative to a
control area when one is given. The study area (``--area``, the city boundary) plays no
part.
"""

from __future__ import annotations

import json
from pathlib import Path

from drugscene.analysis import displacement as dsp
from drugscene.cli.analyse.wdq import load_polygon, moment

HELP = ("Came back? The target's rate after an action ended against the rate during it and "
        "before it (Poisson rate tests, optionally relative to a control).")


def add_arguments(parser) -> None:
    parser.add_argument("--target", required=True, help="target area polygon (GeoJSON)")
    parser.add_argument("--start", required=True,
                        help="the action's start, ISO 8601 (a date is local midnight)")
    parser.add_argument("--end", required=True,
                        help="the action's end (exclusive), ISO 8601")
    parser.add_argument("--control", help="control area polygon (GeoJSON), optional")
    parser.add_argument("--cut-control", action="store_true", dest="cut_control",
                        help="cut the target out of the control")
    parser.add_argument("--window", type=float,
                        help="days in the before and after windows (default: the action's "
                             "length)")
    parser.add_argument("--share", type=float, default=0.5,
                        help="share of the pre-action level that counts as back "
                             "(default 0.5)")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="significance level of the rise after the end (default 0.05)")
    parser.add_argument("--tz", help="time zone for dates without an offset (default: the "
                                     "city's, else UTC)")
    parser.add_argument("--out", help="write the full result as JSON to this file")


def run(options: dict, source, out) -> None:
    tz = options.get("tz") or source.timezone
    target = load_polygon(options["target"], "--target")
    control = (load_polygon(options["control"], "--control") if options.get("control")
               else None)
    res = dsp.came_back(source.points, target, moment(options["start"], tz, "--start"),
                        moment(options["end"], tz, "--end"), control=control,
                        window_days=options.get("window"), alpha=options["alpha"],
                        share=options["share"], cut_control=bool(options.get("cut_control")))
    w = out.write
    w("Came back? Rates before, during and after an action\n")
    w(f"  points: {source.points.origin or 'input'} ({len(source.points)} events)\n")
    w(f"  target: {options['target']}; control: {options.get('control') or 'none'}\n")
    w(f"  {'window':<8}{'from':>27}{'to':>27}{'days':>8}{'target':>9}"
      f"{'per day':>10}{'control':>9}\n")
    controls = (res.c_before, res.c_during, res.c_after)
    for i, (name, win, count, rate) in enumerate((
            ("before", res.before, res.a_before, res.rate_before),
            ("during", res.during, res.a_during, res.rate_during),
            ("after", res.after, res.a_after, res.rate_after))):
        ctl = "" if controls[i] is None else str(controls[i])
        w(f"  {name:<8}{dsp.iso(win.start):>27}{dsp.iso(win.end):>27}{win.days:>8.1f}"
          f"{count:>9}{rate:>10.3f}{ctl:>9}\n")
    rel = " (relative to control)" if control is not None else ""
    w(f"  during vs before{rel}: ×{_num(res.drop_ratio)}, one-sided p = {_num(res.p_drop)}\n")
    w(f"  after vs during{rel}:  ×{_num(res.rise_ratio)}, one-sided p = {_num(res.p_rise)}\n")
    share = res.share_of_before
    w(f"  after as share of before{rel}: "
      f"{'n/a' if share is None else f'{100 * share:.0f} %'} "
      f"(threshold {100 * res.share:.0f} %)\n")
    w(f"Verdict [{res.interpretation.code}] came_back={res.came_back}: "
      f"{res.interpretation.sentence}\n")
    for note in res.notes:
        w(f"  note: {note}\n")
    if options.get("out"):
        payload = res.as_dict()
        payload["inputs"] = {"points": source.points.origin, "target": options["target"],
                             "control": options.get("control"), "start": options["start"],
                             "end": options["end"], "timezone": tz}
        Path(options["out"]).write_text(json.dumps(payload, indent=2, ensure_ascii=False,
                                                   allow_nan=False) + "\n", encoding="utf-8")
        w(f"Wrote {options['out']}\n")


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"

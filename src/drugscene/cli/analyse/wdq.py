"""``drugscene analyse wdq``: did an action work, or did it move the problem next door?

Counts events in a target area, a buffer around it and a control area before and after a
date, and prints the Weighted Displacement Quotient (Bowers & Johnson 2003) with its
reading, the total net effect and the rate ratios against the control. The study area
(``--area``, the city boundary) plays no part: the three polygons given here decide.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drugscene.analysis import area as study
from drugscene.analysis import displacement as dsp
from drugscene.analysis.errors import AnalysisError

HELP = ("Weighted Displacement Quotient: target, buffer and control before/after a date "
        "(displacement or diffusion of benefits), with rate ratios.")


def add_arguments(parser) -> None:
    parser.add_argument("--target", required=True, help="target area polygon (GeoJSON)")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--buffer", help="buffer area polygon (GeoJSON)")
    group.add_argument("--buffer-m", type=float, dest="buffer_m",
                       help="generate the buffer as a ring of this many metres around the "
                            "target")
    parser.add_argument("--control", required=True, help="control area polygon (GeoJSON)")
    parser.add_argument("--cut-control", action="store_true", dest="cut_control",
                        help="cut the target and buffer out of the control (e.g. when the "
                             "control is the whole city)")
    parser.add_argument("--date", required=True,
                        help="start of the action, ISO 8601 (a date is local midnight)")
    parser.add_argument("--before", type=float, help="days before the date (default: the "
                                                     "longest equal windows in the data)")
    parser.add_argument("--after", type=float, help="days after the date (default: as "
                                                    "--before)")
    parser.add_argument("--neutral", type=float, default=dsp.NEUTRAL_WDQ,
                        help="|WDQ| at or below this reads as neither (default 0.1)")
    parser.add_argument("--level", type=float, default=0.95,
                        help="confidence level of the rate-ratio intervals (default 0.95)")
    parser.add_argument("--tz", help="time zone for dates without an offset (default: the "
                                     "city's, else UTC)")
    parser.add_argument("--out", help="write the full result as JSON to this file")


def moment(value: str, tz: str, flag: str) -> int:
    """Epoch seconds of an ISO 8601 date/date-time; without an offset it is local to ``tz``."""
    text = value.strip()
    try:
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise AnalysisError(f"{flag}: not an ISO 8601 date or date-time: {value!r}") from None
    if when.tzinfo is None:
        try:
            when = when.replace(tzinfo=ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise AnalysisError(f"Unknown time zone {tz!r}; use e.g. Europe/Stockholm.") from None
    return int(when.timestamp())


def load_polygon(path: str, flag: str) -> study.StudyArea:
    if not Path(path).exists():
        raise AnalysisError(f"{flag}: no such file: {path}")
    return study.from_file(path)


def counts_table(rows: list[tuple[str, int, int]], labels: tuple[str, str]) -> list[str]:
    lines = [f"  {'area':<10}{labels[0]:>10}{labels[1]:>10}   change"]
    for name, before, after in rows:
        change = f"{after / before:.3f}×" if before else "n/a"
        lines.append(f"  {name:<10}{before:>10}{after:>10}   {change}")
    return lines


def rate_ratio_line(name: str, rr: dsp.RateRatio | None) -> str:
    if rr is None:
        return f"  {name}: n/a"
    line = f"  {name}: {rr.describe()}"
    if rr.exact_rr is not None:
        hi = "∞" if rr.exact_ci_high is None else f"{rr.exact_ci_high:.3f}"
        lo = "n/a" if rr.exact_ci_low is None else f"{rr.exact_ci_low:.3f}"
        exact_p = "n/a" if rr.exact_p is None else f"{rr.exact_p:.3g}"
        line += f"; exact conditional {rr.exact_rr:.3f} ({lo}–{hi}, Fisher p = {exact_p})"
    return line


def _num(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def run(options: dict, source, out) -> None:
    tz = options.get("tz") or source.timezone
    target = load_polygon(options["target"], "--target")
    control = load_polygon(options["control"], "--control")
    buffer = load_polygon(options["buffer"], "--buffer") if options.get("buffer") else None
    before, after = options.get("before"), options.get("after")
    if after is None:
        after = before
    if before is None:
        before = after
    res = dsp.weighted_displacement(
        source.points, target, control, moment(options["date"], tz, "--date"),
        buffer=buffer, buffer_m=options.get("buffer_m"), before_days=before,
        after_days=after, metric_crs=source.metric_crs,
        cut_control=bool(options.get("cut_control")), neutral=options["neutral"],
        level=options["level"])
    buffer_text = (options["buffer"] if buffer is not None
                   else f"ring of {options['buffer_m']:g} m around the target "
                        f"({source.metric_crs})")
    assert res.before is not None and res.after is not None
    w = out.write
    w("Weighted Displacement Quotient (Bowers & Johnson 2003)\n")
    w(f"  points: {source.points.origin or 'input'} ({len(source.points)} events)\n")
    w(f"  target: {options['target']}; buffer: {buffer_text}; control: {options['control']}\n")
    w(f"  before: {dsp.iso(res.before.start)} to "
      f"{dsp.iso(res.before.end)} ({res.before.days:.1f} days)\n")
    w(f"  after:  {dsp.iso(res.after.start)} to {dsp.iso(res.after.end)} "
      f"({res.after.days:.1f} days)\n")
    for line in counts_table([("target", res.a_before, res.a_after),
                              ("buffer", res.b_before, res.b_after),
                              ("control", res.c_before, res.c_after)], ("before", "after")):
        w(line + "\n")
    w(f"  success measure       SM  = A_a/C_a − A_b/C_b = {_num(res.sm, '+.5f')}\n")
    w(f"  buffer displacement   BDM = B_a/C_a − B_b/C_b = {_num(res.bdm, '+.5f')}\n")
    w(f"  WDQ = BDM / SM = {_num(res.wdq, '+.3f')}\n")
    w(f"  total net effect TNE = {_num(res.tne, '+.1f')} events (positive: fewer than "
      f"expected)\n")
    w(rate_ratio_line("target vs control", res.target_rr) + "\n")
    w(rate_ratio_line("buffer vs control", res.buffer_rr) + "\n")
    w(f"Verdict [{res.interpretation.code}]: {res.interpretation.sentence}\n")
    for note in res.notes:
        w(f"  note: {note}\n")
    if options.get("out"):
        payload = res.as_dict()
        payload["inputs"] = {"points": source.points.origin, "target": options["target"],
                             "buffer": buffer_text, "control": options["control"],
                             "date": options["date"], "timezone": tz,
                             "metric_crs": source.metric_crs}
        Path(options["out"]).write_text(json.dumps(payload, indent=2, ensure_ascii=False,
                                                   allow_nan=False) + "\n", encoding="utf-8")
        w(f"Wrote {options['out']}\n")

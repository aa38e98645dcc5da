"""``drugscene analyse patterns``: when events happen, in the city's local time.

    drugscene analyse patterns POINTS [--tz Europe/Stockholm] --out PREFIX [--png] [--svg]

Writes ``PREFIX-hour-weekday.csv`` (7 × 24 counts, Monday first), ``PREFIX-months.csv``,
``PREFIX-seasons.csv`` (with the outdoor share per season when the points have a
``setting`` column), ``PREFIX-weekly-trend.csv`` (events per full week and Sen's line),
``PREFIX-patterns.json`` (the tests and the metadata), and optionally a heat map
``PREFIX-hour-weekday.png``/``.svg``; prints the weekly trend verdict. See
``docs/analysis/time-patterns.md``.
"""

from __future__ import annotations

import csv
import gzip
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import PointsError, parse_time
from drugscene.analysis.temporal import (
    MONTHS,
    SEASON_MONTHS,
    SEASONS,
    SETTINGS,
    WEEKDAYS,
    ChiSquare,
    TimePatterns,
    time_patterns,
)
from drugscene.cli.analyse.common import Source

HELP = ("Time patterns in local time: hour x weekday table with chi-square tests, month and "
        "season profiles, outdoor/indoor share by season (Wilson CI), Mann-Kendall trend of "
        "weekly counts with Sen's slope.")

REFERENCES = (
    "Pearson, K. (1900). On the criterion that a given system of deviations ... "
    "Philosophical Magazine 50(302), 157-175.",
    "Cramér, H. (1946). Mathematical Methods of Statistics. Princeton University Press.",
    "Wilson, E. B. (1927). Probable inference, the law of succession, and statistical "
    "inference. JASA 22(158), 209-212.",
    "Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13(3), 245-259.",
    "Kendall, M. G. (1975). Rank Correlation Methods, 4th ed. Griffin, London.",
    "Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau. "
    "JASA 63(324), 1379-1389.",
)


def add_arguments(parser) -> None:
    parser.add_argument("--tz", metavar="ZONE",
                        help="IANA time zone of the profiles (default: the city's with --city, "
                             "else UTC)")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="significance level of the weekly trend verdict (default 0.05)")
    parser.add_argument("--out", required=True, metavar="PREFIX",
                        help="output prefix: writes PREFIX-hour-weekday.csv, PREFIX-months.csv, "
                             "PREFIX-seasons.csv, PREFIX-weekly-trend.csv, PREFIX-patterns.json")
    parser.add_argument("--png", action="store_true",
                        help="also draw PREFIX-hour-weekday.png (heat map and weekly series)")
    parser.add_argument("--svg", action="store_true", help="also draw PREFIX-hour-weekday.svg")


# --- the setting column -----------------------------------------------------------------------


def _file_columns(path: Path) -> tuple[list[str], list[str], list[str]] | None:
    """``(times, categories, settings)`` of every event row of a points file, in the order
    :func:`~drugscene.analysis.points.read_points` reads them; None without a setting column.
    """
    name = path.name.lower()
    if name.endswith((".geojson", ".json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        props = [(f or {}).get("properties") or {} for f in data.get("features", [])]
        if not any("setting" in p for p in props):
            return None
        return ([str(p.get("time", "")) for p in props],
                [str(p.get("category", "")) for p in props],
                [str(p.get("setting", "")) for p in props])
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        if "setting" not in header or "time" not in header:
            return None
        i_t, i_s = header.index("time"), header.index("setting")
        i_c = header.index("category") if "category" in header else None
        times, cats, settings = [], [], []
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue
            times.append(row[i_t].strip() if i_t < len(row) else "")
            cats.append(row[i_c].strip() if i_c is not None and i_c < len(row) else "")
            settings.append(row[i_s].strip() if i_s < len(row) else "")
    return times, cats, settings


def _epoch(values: list[str]) -> np.ndarray:
    """Epoch seconds as :func:`~drugscene.analysis.points.read_points` reads them (UTC when
    no offset is given)."""
    plain = [v[:-1] if v.endswith("Z") else v for v in values]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return np.array(plain, dtype="datetime64[s]").astype(np.int64)
    except (ValueError, Warning):
        return np.array([parse_time(v) for v in values], dtype=np.int64)


def read_setting(options: dict, source: Source) -> tuple[np.ndarray | None, str]:
    """The ``setting`` column of the POINTS file for the events of ``source``.

    Returns ``(settings or None, what happened)``. The file is read again for that column;
    the same filters as the points (``--category``, ``--since``, ``--until``) are applied,
    and the result is used only when it lines up with the points event by event.
    """
    if not options.get("points"):
        return None, "database input: the setting is not part of the analysis points"
    path = Path(options["points"])
    try:
        cols = _file_columns(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return None, f"could not read the setting column: {exc}"
    if cols is None:
        return None, "the points have no setting column"
    times, cats, settings = cols
    try:
        t = _epoch(times)
    except ValueError:
        return None, "could not read the times next to the setting column"
    mask = np.ones(t.size, dtype=bool)
    if options.get("category"):
        wanted = {c.strip() for c in options["category"].split(",") if c.strip()}
        mask &= np.isin(np.asarray(cats, dtype=object), list(wanted))
    for key, cmp in (("since", np.greater_equal), ("until", np.less)):
        if options.get(key):
            mask &= cmp(t, parse_time(options[key]))
    kept = np.asarray(settings, dtype=object)[mask]
    if kept.size != len(source.points) or not np.array_equal(t[mask], source.points.t):
        return None, "the setting column did not line up with the points; it was ignored"
    return kept, "setting column read from the points file"


# --- output -------------------------------------------------------------------------------------


def _test(c: ChiSquare) -> dict[str, Any]:
    def num(v: float) -> float | None:
        return None if not np.isfinite(v) else float(v)
    return {"chi2": num(c.statistic), "dof": c.dof, "p": num(c.p), "effect_size": num(c.effect),
            "min_expected": num(c.min_expected)}


def _fmt(v: float, spec: str = ".6g") -> str:
    return "" if not np.isfinite(v) else format(float(v), spec)


def _write(prefix: Path, tp: TimePatterns) -> list[Path]:
    hw = tp.hour_weekday
    paths = []
    p = prefix.with_name(prefix.name + "-hour-weekday.csv")
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["weekday", *[f"h{h:02d}" for h in range(24)], "total", "days", "per_day"])
        rate = hw.weekday_rate
        for d in range(7):
            row = hw.counts[d]
            w.writerow([WEEKDAYS[d], *row.tolist(), int(row.sum()), int(hw.weekday_days[d]),
                        _fmt(rate[d])])
        totals = hw.counts.sum(axis=0)
        w.writerow(["all", *totals.tolist(), int(totals.sum()), int(hw.weekday_days.sum()),
                    _fmt(totals.sum() / max(int(hw.weekday_days.sum()), 1))])
    paths.append(p)

    p = prefix.with_name(prefix.name + "-months.csv")
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["month", "name", "count", "days", "per_day", "index"])
        m = tp.months
        for i in range(12):
            w.writerow([i + 1, MONTHS[i], int(m.counts[i]), int(m.days[i]), _fmt(m.per_day[i]),
                        _fmt(m.index[i], ".4f")])
    paths.append(p)

    p = prefix.with_name(prefix.name + "-seasons.csv")
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        head = ["season", "months", "count", "days", "per_day", "index"]
        if tp.setting is not None:
            head += [*SETTINGS, "outdoor_share", "outdoor_share_low", "outdoor_share_high"]
        w.writerow(head)
        s = tp.seasons
        for i, name in enumerate(SEASONS):
            line: list[Any] = [name, SEASON_MONTHS[name], int(s.counts[i]), int(s.days[i]),
                               _fmt(s.per_day[i]), _fmt(s.index[i], ".4f")]
            if tp.setting is not None:
                lo, hi = tp.setting.interval
                line += [*tp.setting.counts[i].tolist(),
                         _fmt(tp.setting.outdoor_share[i], ".4f"), _fmt(lo[i], ".4f"),
                         _fmt(hi[i], ".4f")]
            w.writerow(line)
    paths.append(p)

    p = prefix.with_name(prefix.name + "-weekly-trend.csv")
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["week_start", "count", "sen_line"])
        if tp.weekly is not None:
            mk = tp.weekly.mk
            assert mk.slope is not None and mk.intercept is not None
            sen = mk.intercept[0] + mk.slope[0] * np.arange(tp.weekly.counts.size)
            for d, c, y in zip(tp.weekly.week_start.astype(str).tolist(),
                               tp.weekly.counts.tolist(), sen.tolist(), strict=True):
                w.writerow([d, c, f"{y:.4f}"])
    paths.append(p)
    return paths


def _meta(tp: TimePatterns, source: Source, setting_note: str) -> dict[str, Any]:
    hw = tp.hour_weekday
    wd, hr = hw.peak()
    meta: dict[str, Any] = {
        "command": "drugscene analyse patterns",
        "references": list(REFERENCES),
        "points_source": source.points.origin,
        "timezone": tp.tz,
        "n_events": tp.n_events,
        "first_day": str(tp.first_day),
        "last_day": str(tp.last_day),
        "peak": {"weekday": WEEKDAYS[wd], "hour": hr},
        "hour_profile": [round(float(v), 6) for v in hw.hour_profile],
        "tests": {
            "weekday_x_hour_independence": _test(hw.independence)
            | {"effect_size_is": "Cramér's V"},
            "hour_uniform": _test(hw.hour_uniform) | {"effect_size_is": "Cohen's w"},
            "weekday_uniform_given_days": _test(hw.weekday_uniform)
            | {"effect_size_is": "Cohen's w"},
            "months_uniform_given_days": _test(tp.months.uniform),
            "seasons_uniform_given_days": _test(tp.seasons.uniform),
        },
        "setting": setting_note,
        "notes": tp.notes,
    }
    if tp.setting is not None:
        meta["tests"]["season_x_setting_independence"] = _test(tp.setting.test)
    if tp.weekly is not None:
        mk = tp.weekly.mk
        assert mk.slope is not None
        meta["weekly_trend"] = {
            "weeks": int(tp.weekly.counts.size), "mk_s": float(mk.s[0]),
            "mk_z": float(mk.z[0]), "mk_p": float(mk.p[0]), "kendall_tau": float(mk.tau[0]),
            "sen_slope_per_week": float(mk.slope[0]), "direction": tp.weekly.direction,
            "alpha": tp.weekly.alpha, "events_in_partial_weeks": tp.weekly.dropped_events,
            "verdict": tp.weekly.verdict()}
    return meta


def _draw(path: Path, fmt: str, tp: TimePatterns) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    hw = tp.hour_weekday
    fig = Figure(figsize=(10, 7.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax, ax2 = fig.subplots(2, 1, height_ratios=(3, 2))
    im = ax.imshow(hw.counts, aspect="auto", cmap="magma_r", interpolation="nearest")
    ax.set_yticks(range(7), [d[:3] for d in WEEKDAYS])
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=8)
    ax.set_xlabel(f"hour of day ({tp.tz})")
    ax.set_title(f"Events by weekday and hour, {tp.first_day} to {tp.last_day} "
                 f"({tp.n_events:,} events)", fontsize=10)
    fig.colorbar(im, ax=ax, label="events")
    if tp.weekly is not None:
        weeks = tp.weekly.week_start.astype("datetime64[D]").astype(object)
        mk = tp.weekly.mk
        assert mk.slope is not None and mk.intercept is not None
        ax2.plot(weeks, tp.weekly.counts, color="#555555", linewidth=1, label="events per week")
        ax2.plot(weeks, mk.intercept[0] + mk.slope[0] * np.arange(len(weeks)), color="#b2182b",
                 linewidth=1.5, label=f"Sen's slope {mk.slope[0]:+.3g}/week")
        ax2.set_ylabel("events per week")
        ax2.legend(fontsize=8, loc="upper left")
        ax2.set_title(f"Mann-Kendall z = {mk.z[0]:.2f}, p = {mk.p[0]:.3g}", fontsize=9)
    else:
        ax2.set_axis_off()
    fig.savefig(path, format=fmt, dpi=150)


def run(options: dict, source: Source, out) -> None:
    tz = options.get("tz") or source.timezone or "UTC"
    given = options.get("alpha")
    alpha = 0.05 if given is None else float(given)
    prefix = Path(options["out"])
    if not prefix.parent.exists():
        raise AnalysisError(f"The folder of --out does not exist: {prefix.parent}")
    try:
        settings, setting_note = read_setting(options, source)
    except PointsError:
        settings, setting_note = None, "could not read the setting column"
    pts = source.points
    tp = time_patterns(pts.t, tz, settings, alpha=alpha)
    written = _write(prefix, tp)
    side = prefix.with_name(prefix.name + "-patterns.json")
    side.write_text(json.dumps(_meta(tp, source, setting_note), indent=2, ensure_ascii=False)
                    + "\n", encoding="utf-8")
    written.append(side)
    for fmt in ("png", "svg"):
        if options.get(fmt):
            p = prefix.with_name(prefix.name + f"-hour-weekday.{fmt}")
            _draw(p, fmt, tp)
            written.append(p)

    hw = tp.hour_weekday
    wd, hr = hw.peak()
    out.write(f"Events: {tp.n_events:,} from {tp.first_day} to {tp.last_day}, local time "
              f"{tz}\n")
    if pts.category is not None and not options.get("category"):
        out.write("Note: all categories together (use --category to narrow).\n")
    hp = hw.hour_profile
    top = np.argsort(-hp, kind="stable")[:3]
    out.write(f"Busiest hour x weekday: {WEEKDAYS[wd]} {hr:02d}:00-{hr:02d}:59; busiest hours: "
              + ", ".join(f"{h:02d} ({hp[h]:.1%})" for h in top.tolist()) + "\n")
    rate = hw.weekday_rate
    out.write("Events per day by weekday: " + ", ".join(
        f"{WEEKDAYS[d][:3]} {_fmt(rate[d], '.1f')}" for d in range(7)) + "\n")
    ind = hw.independence
    if np.isfinite(ind.p):
        out.write(f"Weekday x hour independence: chi2 = {ind.statistic:.1f}, df = {ind.dof}, "
                  f"p = {ind.p:.3g}, Cramér's V = {ind.effect:.3f}\n")
    head = f"{'season':<8} {'months':<6} {'events':>8} {'per day':>8}"
    if tp.setting is not None:
        head += f" {'outdoor share (95% CI)':>26}"
    out.write("\n" + head + "\n")
    s = tp.seasons
    for i, name in enumerate(SEASONS):
        line = (f"{name:<8} {SEASON_MONTHS[name]:<6} {int(s.counts[i]):>8,} "
                f"{_fmt(s.per_day[i], '.2f'):>8}")
        if tp.setting is not None:
            lo, hi = tp.setting.interval
            share = tp.setting.outdoor_share[i]
            text = (f"{share:.1%} ({lo[i]:.1%}-{hi[i]:.1%})" if np.isfinite(share)
                    else "no known setting")
            line += f" {text:>26}"
        out.write(line + "\n")
    if tp.setting is None:
        out.write(f"(outdoor/indoor share: {setting_note})\n")
    if tp.weekly is not None:
        out.write(f"\nWeekly trend: {tp.weekly.verdict()}\n")
    for note in tp.notes:
        out.write(f"Note: {note}\n")
    out.write("Wrote " + ", ".join(str(p) for p in written) + "\n")


__all__ = ["HELP", "add_arguments", "read_setting", "run"]

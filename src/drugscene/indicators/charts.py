"""Indicator charts as SVG (matplotlib), shown as images so pages keep their strict CSP.

Every function takes plain data (points, targets) and returns SVG text; none reads the
database, so each can be tested on its own.

* Detected values: a line with filled markers; a confidence interval as a band.
* Below the limit of detection: an *open* marker at the limit when it is known, else an
  open triangle on the bottom edge of the plot (outside the value scale) - never a zero.
* Suppressed values (public page): left out of the line.
* Targets (``{"deadline", "target", "baseline", "label"}``): a dashed horizontal line at the
  target with a star at the deadline.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

LINE = "#1f4e79"
TARGET = "#b35806"
LOD = "#6a3d9a"
PALETTE = ("#1f4e79", "#b35806", "#1b7837", "#762a83", "#c51b7d", "#4d4d4d", "#8c510a",
           "#01665e")


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def b64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _mid(pt) -> date:
    return pt.period_start + (pt.period_end - pt.period_start) / 2


def _draw(ax, points, *, colour: str = LINE, label: str | None = None,
          markersize: float = 4) -> bool:
    """Draw one series; returns whether a below-LOD point without a limit was drawn."""
    shown = [p for p in points if not p.suppressed]
    detected = [p for p in shown if p.value is not None]
    if detected:
        # the line breaks at a value below the limit of detection (no value to join)
        line = [p for p in shown if p.value is not None or p.below_lod]
        ax.plot([_mid(p) for p in line],
                [p.value if p.value is not None else float("nan") for p in line], "-o",
                color=colour, markersize=markersize, linewidth=1.4, label=label)
    ci = [p for p in detected if p.ci_low is not None and p.ci_high is not None]
    if ci:
        ax.fill_between([_mid(p) for p in ci], [p.ci_low for p in ci],
                        [p.ci_high for p in ci], color=colour, alpha=0.15, linewidth=0)
    with_lod = [p for p in shown if p.below_lod and p.lod is not None]
    if with_lod:
        ax.plot([_mid(p) for p in with_lod], [p.lod for p in with_lod], "o",
                markerfacecolor="white", markeredgecolor=LOD, markersize=markersize + 1.5,
                markeredgewidth=1.3, linestyle="")
    no_lod = [p for p in shown if p.below_lod and p.lod is None]
    if no_lod:
        edge = blended_transform_factory(ax.transData, ax.transAxes)
        ax.plot([_mid(p) for p in no_lod], [0.03] * len(no_lod), "v",
                markerfacecolor="white", markeredgecolor=LOD, markersize=markersize + 2,
                markeredgewidth=1.3, linestyle="", transform=edge, clip_on=False)
    return bool(no_lod)


def _axes(ax, unit: str) -> None:
    ax.set_ylabel(unit, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)


def series_chart(points: Sequence, *, unit: str = "", targets: Sequence[dict] = (),
                 percent: bool = False) -> str:
    """One indicator's series with its targets (see the module docstring), as SVG."""
    return _svg(series_figure(points, unit=unit, targets=targets, percent=percent))


def series_figure(points: Sequence, *, unit: str = "", targets: Sequence[dict] = (),
                  percent: bool = False):
    """The matplotlib figure of :func:`series_chart` (the caller closes it)."""
    fig, ax = plt.subplots(figsize=(7.2, 3.0), dpi=100)
    unknown_lod = _draw(ax, points)
    handles, labels = [], []
    for t in targets:
        if t.get("target") is None:
            continue
        ax.axhline(t["target"], color=TARGET, linestyle="--", linewidth=1.1)
        if t.get("deadline"):
            ax.plot([t["deadline"]], [t["target"]], "*", color=TARGET, markersize=10)
        if t.get("baseline") is not None:
            ax.axhline(t["baseline"], color=TARGET, linestyle=":", linewidth=0.9)
    if any(t.get("target") is not None for t in targets):
        handles.append(plt.Line2D([], [], color=TARGET, linestyle="--", marker="*"))
        labels.append(_("target (star: deadline)"))
    if any(t.get("baseline") is not None for t in targets):
        handles.append(plt.Line2D([], [], color=TARGET, linestyle=":"))
        labels.append(_("baseline"))
    if any(p.below_lod and p.lod is not None for p in points):
        handles.append(plt.Line2D([], [], marker="o", markerfacecolor="white",
                                  markeredgecolor=LOD, linestyle=""))
        labels.append(_("below the limit of detection (drawn at the limit)"))
    if unknown_lod:
        handles.append(plt.Line2D([], [], marker="v", markerfacecolor="white",
                                  markeredgecolor=LOD, linestyle=""))
        labels.append(_("below the limit of detection (limit not given)"))
    values = [p.value for p in points if p.value is not None]
    values += [p.lod for p in points if p.lod is not None]
    values += [t["target"] for t in targets if t.get("target") is not None]
    if values and min(values) >= 0:
        ax.set_ylim(bottom=0, top=max(values) * 1.1 or 1)
    if percent:
        ax.set_ylim(top=min(100, max(values or [1]) * 1.15 or 1))
    _axes(ax, unit)
    if not points and not targets:
        ax.text(0.5, 0.5, _("No data yet"), transform=ax.transAxes, ha="center",
                color="#7b8794")
        today = date.today()
        ax.set_xlim(today - timedelta(days=365), today)
    if handles:
        ax.legend(handles, labels, fontsize=7, frameon=False, loc="upper left",
                  bbox_to_anchor=(0, -0.12), ncol=2)
    return fig


def small_multiples(items: Sequence[tuple[str, Sequence]], *, unit: str = "") -> str:
    """One small chart per district on a shared value scale."""
    n = len(items)
    cols = 3 if n > 4 else max(1, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(7.2, 1.7 * rows + 0.3), dpi=100,
                             sharex=True, sharey=True, squeeze=False)
    for ax, (name, points) in zip(axes.flat, items, strict=False):
        _draw(ax, points, markersize=2.5)
        ax.set_title(name, fontsize=8, loc="left")
        _axes(ax, "")
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    if unit:
        fig.supylabel(unit, fontsize=8)
    fig.tight_layout()
    return _svg(fig)


def breakdown_chart(groups: Sequence[tuple[str, Sequence]], *, unit: str = "") -> str:
    """Several series (e.g. women and men, or age bands) on one chart."""
    fig, ax = plt.subplots(figsize=(7.2, 2.6), dpi=100)
    for k, (name, points) in enumerate(groups):
        _draw(ax, points, colour=PALETTE[k % len(PALETTE)], label=name)
    _axes(ax, unit)
    if groups:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(fig)

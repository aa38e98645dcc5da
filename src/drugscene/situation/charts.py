"""The picture's charts as SVG (matplotlib): the same drawing in the page and the PDF."""

from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.patches import Polygon as MplPolygon  # noqa: E402

from drugscene.geo.h3grid import boundary_lonlat  # noqa: E402

BIN_COLOURS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", -1: "#d1e5f0", -2: "#67a9cf",
               -3: "#2166ac"}
SIGNAL_COLOURS = {"new": "#7b3294", "intensifying": "#d7191c", "fading": "#2c7bb6",
                  "stable": "#555555", "quiet": "#bbbbbb"}


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def weekly_bars(weekly: list[tuple[str, int]]) -> str:
    fig, ax = plt.subplots(figsize=(6.4, 2.2), dpi=100)
    labels = [w[5:] for w, _n in weekly]
    values = [n for _w, n in weekly]
    colours = ["#9fb3c8"] * (len(values) - 1) + ["#102a43"]
    ax.bar(labels, values, color=colours)
    ax.set_ylabel(_("reports"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=7)
    return _svg(fig)


def hour_weekday(matrix: list[list[int]]) -> str:
    fig, ax = plt.subplots(figsize=(6.4, 2.2), dpi=100)
    im = ax.imshow(matrix, aspect="auto", cmap="YlOrRd", interpolation="nearest")
    ax.set_yticks(range(7), [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"),
                             _("Sun")], fontsize=7)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)], fontsize=7)
    ax.set_xlabel(_("hour (local time)"), fontsize=8)
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    return _svg(fig)


def picture_map(districts: list[dict], cells: list[tuple[int, int, int]],
                places: list[tuple[float, float, str, str]], lat0: float) -> str:
    """District outlines, hot/cold spot cells by confidence bin, places by signal."""
    fig, ax = plt.subplots(figsize=(6.4, 5.0), dpi=100)
    for geom in districts:
        rings = geom["coordinates"] if geom["type"] == "Polygon" else [
            r for poly in geom["coordinates"] for r in poly]
        for ring in rings[:1] if geom["type"] == "Polygon" else rings:
            ax.add_patch(MplPolygon(ring, closed=True, fill=False, edgecolor="#52606d",
                                    linewidth=0.8, linestyle="--"))
    for cell, _n, b in cells:
        if b == 0:
            continue
        ax.add_patch(MplPolygon(boundary_lonlat(cell), closed=True, facecolor=BIN_COLOURS[b],
                                edgecolor="none", alpha=0.9))
    for lon, lat, name, signal in places:
        if signal in ("quiet",):
            continue
        ax.plot(lon, lat, "o", markersize=5, color=SIGNAL_COLOURS[signal],
                markeredgecolor="white", markeredgewidth=0.6)
        if signal in ("new", "intensifying"):
            ax.annotate(name, (lon, lat), xytext=(4, 3), textcoords="offset points",
                        fontsize=6.5, color="#243b53")
    ax.autoscale_view()
    ax.set_aspect(1 / math.cos(math.radians(lat0)))
    ax.set_axis_off()
    handles = [plt.Line2D([], [], marker="s", linestyle="", color=BIN_COLOURS[b],
                          markersize=8, label=label)
               for b, label in ((3, _("hot spot 99 %")), (2, _("hot spot 95 %")),
                                (-2, _("cold spot 95 %")))]
    handles += [plt.Line2D([], [], marker="o", linestyle="", color=SIGNAL_COLOURS[s],
                           markersize=6, label=label)
                for s, label in (("new", _("new place")), ("intensifying", _("intensifying")),
                                 ("fading", _("fading")), ("stable", _("stable")))]
    ax.legend(handles=handles, loc="lower left", fontsize=6.5, frameon=True)
    return _svg(fig)

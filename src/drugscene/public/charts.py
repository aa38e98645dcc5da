"""Charts of the comparison of cities as SVG (matplotlib): the same drawing on the page and
in the PDF."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

CITY_COLOURS = ("#1d4e89", "#e07a1f", "#2f8f5b", "#8e44ad", "#b03a48", "#6b7b8c")
STATUS_COLOURS = {"suspected": "#f0b429", "active": "#d64545", "under_action": "#8e44ad",
                  "dormant": "#9fb3c8", "resolved": "#3f9142"}


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def grouped_bars(groups: list[str], cities: list[str], values: list[list[float | None]],
                 *, xlabel: str, missing: str) -> str:
    """Horizontal bars: one group per row label, one bar per city (``values[city][group]``);
    a missing value is left out and written as ``missing``."""
    n_groups, n_cities = len(groups), len(cities)
    fig, ax = plt.subplots(figsize=(6.4, 0.5 + 0.32 * n_groups * n_cities), dpi=100)
    height = 0.8 / max(n_cities, 1)
    y = np.arange(n_groups)
    top = max((v for row in values for v in row if v is not None), default=0) or 1
    for k, (city, row) in enumerate(zip(cities, values, strict=True)):
        pos = y + (k - (n_cities - 1) / 2) * height
        vals = [v if v is not None else 0 for v in row]
        ax.barh(pos, vals, height=height * 0.9, color=CITY_COLOURS[k % len(CITY_COLOURS)],
                label=city)
        for p, v in zip(pos, row, strict=True):
            text = missing if v is None else f"{v:,.1f}"
            ax.text((v or 0) + top * 0.01, p, text, va="center", fontsize=7, color="#243b53")
    ax.set_yticks(y, groups, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_xlim(0, top * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return _svg(fig)


def stacked_status(cities: list[str], statuses: list[tuple[str, str]],
                   counts: list[dict[str, int]]) -> str:
    """One horizontal bar per city, split by place status (``statuses``: key, label)."""
    fig, ax = plt.subplots(figsize=(6.4, 0.6 + 0.45 * len(cities)), dpi=100)
    left = np.zeros(len(cities))
    for key, label in statuses:
        vals = np.array([c.get(key, 0) for c in counts], dtype=float)
        ax.barh(cities, vals, left=left, color=STATUS_COLOURS.get(key, "#888888"), label=label)
        left += vals
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7, frameon=False, ncol=min(len(statuses), 5), loc="upper center",
              bbox_to_anchor=(0.5, -0.15))
    return _svg(fig)


def shares(cities: list[str], series: list[tuple[str, list[float | None]]], *,
           missing: str) -> str:
    """Shares (0-1) per city as grouped horizontal bars in per cent."""
    groups = [label for label, _vals in series]
    values = [[None if vals[k] is None else 100.0 * vals[k] for _l, vals in series]
              for k in range(len(cities))]
    return grouped_bars(groups, cities, values, xlabel="%", missing=missing)

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
                 *, xlabel: str, missing: str, shared_scale: bool = False) -> str:
    """One small panel per group (row label), one bar per city (``values[city][group]``),
    each panel on its own scale unless ``shared_scale`` (so deaths are not dwarfed by
    reports); a missing value is written as ``missing``."""
    n_groups, n_cities = len(groups), len(cities)
    panel_h = 0.35 + 0.28 * n_cities
    fig, axes = plt.subplots(n_groups, 1, figsize=(6.4, 0.5 + panel_h * n_groups), dpi=100,
                             squeeze=False)
    overall = max((v for row in values for v in row if v is not None), default=0) or 1
    colours = [CITY_COLOURS[k % len(CITY_COLOURS)] for k in range(n_cities)]
    for g, ax in enumerate(axes[:, 0]):
        row = [values[k][g] for k in range(n_cities)]
        top = overall if shared_scale else (max((v for v in row if v is not None), default=0)
                                            or 1)
        y = np.arange(n_cities)
        ax.barh(y, [v or 0 for v in row], color=colours, height=0.7)
        for k, v in enumerate(row):
            text = missing if v is None else f"{v:,.1f}"
            ax.text((v or 0) + top * 0.01, k, text, va="center", fontsize=7, color="#243b53")
        ax.set_yticks(y, cities, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.25)
        ax.set_title(groups[g], fontsize=8, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1, 0].set_xlabel(xlabel, fontsize=8)
    fig.tight_layout()
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
    return grouped_bars(groups, cities, values, xlabel="%", missing=missing, shared_scale=True)

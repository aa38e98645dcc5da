"""Indicator trends of the public page as small inline SVG charts (no script, no style
attribute: presentation attributes only, so the page keeps its strict CSP)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from drugscene.indicators.catalogue import caveat_text

WIDTH, HEIGHT, PAD = 320, 90, 6
#: points shown in the table under a chart
TABLE_POINTS = 12


@dataclass(frozen=True)
class Trend:
    slug: str
    label: str
    unit: str
    caveat: str
    source: str
    latest: object  # a Point or None
    svg: str
    rows: list  # the last TABLE_POINTS points, newest first


def sparkline(values: list[float | None], *, title: str) -> str:
    """An SVG line of ``values`` (``None`` = a gap: suppressed or missing), scaled from 0
    to the largest value; the last known value is marked with a dot."""
    known = [v for v in values if v is not None]
    top = max(known, default=0.0) or 1.0
    n = len(values)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return PAD + i * step, HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v / top)

    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(xy(i, v))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'class="trend-chart" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
             'stroke="#bcccdc" stroke-width="1"/>']
    for run in runs:
        if len(run) == 1:
            x, y = run[0]
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="#1d4e89"/>')
        elif run:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="#1d4e89" '
                         'stroke-width="2" stroke-linejoin="round"/>')
    last = next(((i, v) for i, v in reversed(list(enumerate(values))) if v is not None), None)
    if last is not None:
        x, y = xy(*last)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#102a43"/>')
    parts.append("</svg>")
    return "".join(parts)


def trend_of(series) -> Trend:
    """A display of one :class:`drugscene.indicators.selectors.PublicSeries`."""
    ind = series.indicator
    points = series.points
    return Trend(
        slug=ind.slug, label=ind.label, unit=ind.unit_label, caveat=caveat_text(ind.caveat),
        source=ind.source,
        latest=points[-1] if points else None,
        svg=sparkline([p.value for p in points], title=ind.label),
        rows=list(reversed(points[-TABLE_POINTS:])),
    )


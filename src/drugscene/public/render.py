"""The comparison of cities as table rows and charts, for the page, an HTML file and a PDF
(WeasyPrint)."""

from __future__ import annotations

import base64
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from drugscene.actions.models import ActionKind
from drugscene.indicators.catalogue import CATALOGUE, REPORTS_ALL
from drugscene.places.models import PlaceStatus
from drugscene.plans.models import PlanActionStatus
from drugscene.public import charts
from drugscene.public.compare import INDICATORS, Entry


def _b64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def indicator_names() -> dict[str, str]:
    return {d.slug: _(d.name) for d in (*CATALOGUE, REPORTS_ALL)}


def _num(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    # number_format cuts decimals off; round first so the table agrees with the charts
    return formats.number_format(round(float(value), digits), digits, use_l10n=True,
                                 force_grouping=True)


def _pct(share) -> str:
    if share is None:
        return "–"
    return _num(100 * share, 0) + " %"


def _get(d: dict | None, *keys):
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def table(entries: list[Entry]) -> list[dict]:
    """Sections of rows: ``{"title", "rows": [(label, [cell per city])]}``."""
    figs = [e.figures for e in entries]
    kinds = dict(ActionKind.choices)
    names = indicator_names()
    sections = [
        {"title": _("The city"), "rows": [
            (_("Population"), [_num(_get(f, "city", "population")) for f in figs]),
            (_("Unemployment (%)"), [_num(_get(f, "city", "unemployment_rate"), 1)
                                     for f in figs]),
            (_("Ill-health (days per insured person a year)"),
             [_num(_get(f, "city", "ill_health_days"), 1) for f in figs]),
            (_("Year of these statistics"),
             [str(_get(f, "city", "statistics_year") or "–") for f in figs]),
        ]},
        {"title": _("Places by status"), "rows": [
            *[(str(label), [_num(_get(f, "places_by_status", key)) for f in figs])
              for key, label in PlaceStatus.choices],
            (_("All places"), [_num(sum((_get(f, "places_by_status") or {}).values()))
                               for f in figs]),
        ]},
        {"title": _("Methods in use (actions in the last twelve months)"), "rows": [
            (str(kinds.get(kind, kind)), [_num((f.get("methods") or {}).get(kind, 0))
                                          for f in figs])
            for kind in sorted({k for f in figs for k in (f.get("methods") or {})},
                               key=lambda k: str(kinds.get(k, k)))
        ]},
        {"title": _("Drug-policy plan"), "rows": [
            (_("Plan"), [_get(f, "plan", "title") or _("no plan") for f in figs]),
            (_("Goals"), [_num(_get(f, "plan", "goals")) for f in figs]),
            (_("Goals broken down into measurable sub-goals"),
             [_num(_get(f, "plan", "goals_broken_down")) for f in figs]),
            (_("Sub-goals with an indicator and a target"),
             [_num(_get(f, "plan", "measurable_sub_goals")) for f in figs]),
            (_("Plan actions"), [_num(_get(f, "plan", "actions")) for f in figs]),
            (_("Plan actions done"), [_pct(_get(f, "plan", "done_share")) for f in figs]),
        ]},
        {"title": _("Per 100,000 inhabitants, last twelve months"), "rows": [
            (names.get(slug, slug), [_num(_get(f, "indicators", slug, "per_100k"), 1)
                                     for f in figs])
            for slug in INDICATORS
        ]},
    ]
    return sections


def _broken_down_share(f: dict) -> float | None:
    goals = _get(f, "plan", "goals")
    if not goals:
        return None
    return (_get(f, "plan", "goals_broken_down") or 0) / goals


def chart_svgs(entries: list[Entry]) -> dict[str, str]:
    cities = [e.name for e in entries]
    figs = [e.figures for e in entries]
    names = indicator_names()
    missing = _("no data")
    return {
        "indicators": charts.grouped_bars(
            [names.get(s, s) for s in INDICATORS], cities,
            [[_get(f, "indicators", s, "per_100k") for s in INDICATORS] for f in figs],
            xlabel=_("per 100,000 inhabitants, last twelve months"), missing=missing),
        "places": charts.stacked_status(
            cities, [(k, str(v)) for k, v in PlaceStatus.choices],
            [_get(f, "places_by_status") or {} for f in figs]),
        "plan": charts.shares(cities, [
            (_("Plan actions done"), [_get(f, "plan", "done_share") for f in figs]),
            (_("Goals broken down into measurable sub-goals"),
             [_broken_down_share(f) for f in figs]),
        ], missing=missing),
    }


def compare_context(entries: list[Entry]) -> dict:
    svgs = chart_svgs(entries)
    periods = [_get(e.figures, "period") or {} for e in entries]
    return {
        "entries": entries,
        "sections": table(entries),
        "entries_periods": list(zip(entries, periods, strict=True)),
        "charts": {k: _b64(v) for k, v in svgs.items()},
        "plan_statuses": PlanActionStatus.choices,
    }


def document_html(entries: list[Entry], *, language: str | None = None) -> str:
    """A self-contained HTML document (inline CSS, charts as data images)."""
    with translation.override(language or translation.get_language()):
        css = (Path(__file__).parent / "static" / "public" / "compare.css").read_text()
        return render_to_string("public/compare_document.html",
                                {**compare_context(entries), "css": css,
                                 "LANGUAGE_CODE": translation.get_language()})


def document_pdf(entries: list[Entry], *, language: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=document_html(entries, language=language)).write_pdf()

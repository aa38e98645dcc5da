"""Pages of the evidence catalogue: the list grouped by pillar, one entry with its sources
and the city's own results, and the small panel shown next to actions. Readable by every
signed-in user; the city's own results only over the actions the viewer may see."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from drugscene.actions.models import ActionKind
from drugscene.evidence import catalogue, selectors
from drugscene.web.common import city_of, pages, render_in, viewer_of

KIND_KEYS = frozenset(ActionKind.values)
#: the detail page lists at most this many evaluated actions (the newest); the figures
#: above the table count them all
TABLE_ROWS = 100


def _known(key: str) -> None:
    if catalogue.entry(key) is None and key not in KIND_KEYS:
        raise Http404(_("Not found."))


def panel_context(request: HttpRequest, key: str, city=None) -> dict:
    """What the panel shows for an action kind (also used by the template tag)."""
    entry = catalogue.entry(key) if key else None
    results = None
    city = city if city is not None else city_of(request)
    if entry is not None and entry.kind and city is not None:
        results = selectors.city_results(city, entry.kind, viewer_of(request))
    return {
        "key": key,
        "entry": entry,
        "no_summary": catalogue.NO_SUMMARY.get(key),
        "results": results,
        "kind_label": ActionKind(key).label if key in KIND_KEYS else "",
    }


@pages
def catalogue_list(request: HttpRequest) -> HttpResponse:
    viewer, city = viewer_of(request), city_of(request)
    evaluated: dict[str, int] = {}
    if city is not None:
        for e in catalogue.ENTRIES:
            if e.kind:
                evaluated[e.key] = selectors.city_results(city, e.kind, viewer).evaluated
    groups = [(code, label, [(e, evaluated.get(e.key)) for e in items])
              for code, label, items in catalogue.entries_by_group()]
    no_summary = [(ActionKind(k).label, text) for k, text in catalogue.NO_SUMMARY.items()]
    return render_in(request, city, "evidence/list.html", {
        "groups": groups, "no_summary": no_summary, "directions": catalogue.Direction,
        "strengths": [catalogue.Strength(s) for s in catalogue.STRENGTH_ORDER],
    })


@pages
def entry_detail(request: HttpRequest, key: str) -> HttpResponse:
    _known(key)
    city = city_of(request)
    ctx = panel_context(request, key, city)
    entry = ctx["entry"]
    ctx["related"] = [catalogue.entry(k) for k in entry.related] if entry else []
    results = ctx["results"]
    ctx["table_rows"] = results.rows[:TABLE_ROWS] if results else []
    return render_in(request, city, "evidence/detail.html", ctx)


@pages
def entry_panel(request: HttpRequest, key: str) -> HttpResponse:
    """The panel's content for one kind (an HTML fragment, no page around it)."""
    _known(key)
    return render(request, "evidence/_panel_body.html",
                  {**panel_context(request, key), "live": True})

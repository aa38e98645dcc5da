"""``{% load evidence %}{% evidence_panel action.kind %}``: what research says about a
kind of action, with the city's own results, as a small panel. ``live=True`` (the action
form) makes it follow the kind select."""

from __future__ import annotations

from django import template

from drugscene.evidence.views import panel_context

register = template.Library()


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def evidence_panel(context, kind, live=False):
    request = context.get("request")
    key = str(kind or "")
    ctx = panel_context(request, key, context.get("city")) if request is not None else {
        "key": key, "entry": None, "no_summary": None, "results": None, "kind_label": ""}
    ctx.update(live=live, request=request, city=context.get("city"))
    return ctx

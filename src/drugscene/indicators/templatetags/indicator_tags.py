"""Show an indicator's point: a number in the active locale, below the limit of detection,
or suppressed (public page)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from drugscene.indicators import periods as P

register = template.Library()


def _number(x: float) -> str:
    if float(x).is_integer():
        return number_format(int(x), 0)
    digits = 1 if abs(x) >= 10 else 2
    return number_format(round(x, digits))


@register.filter
def point_value(point) -> str:
    if point is None:
        return "–"
    if getattr(point, "suppressed", False):
        return _("fewer than 5")
    if point.below_lod:
        if point.lod is not None:
            return _("below %(lod)s (limit of detection)") % {"lod": _number(point.lod)}
        return _("below the limit of detection")
    if point.value is None:
        return "–"
    return _number(point.value)


@register.filter
def number(x) -> str:
    return "–" if x is None else _number(x)


@register.filter
def period_label(obj) -> str:
    """``2025-03``, ``2025-W07`` ... of a point or a measurement."""
    return P.label(obj.period_start, obj.period_end)

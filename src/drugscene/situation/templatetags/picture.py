"""Small template filters for the situational picture."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key, "")


@register.filter
def add_days(moment, days: int):
    return moment + timedelta(days=int(days))


@register.filter
def spark_level(n: int, peak: int = 0) -> int:
    """0..4: the bar height of one week relative to the place's busiest week (CSS classes,
    no inline styles)."""
    n, peak = int(n), int(peak)
    if n <= 0 or peak <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * n / peak)))

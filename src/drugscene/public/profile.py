"""The city profile file: its schema and its validation.

A profile is the JSON object :func:`drugscene.public.compare.city_figures` returns:
aggregates only (see ``docs/guides/public-page-and-comparison.md`` for every field). An
imported file is checked completely before anything is stored; every problem is named by
its path in the file (``city.unemployment_rate``, ``indicators.overdose-deaths.value``)
with the reason.
"""

from __future__ import annotations

import math
import re
from datetime import date

from django.utils.translation import gettext as _

from drugscene.core.validation import Problems

SCHEMA = "drugscene-city-profile"
VERSION = 1
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
PLACE_STATUSES = ("suspected", "active", "under_action", "dormant", "resolved")
PLAN_STATUSES = ("planned", "ongoing", "done", "delayed", "stopped")
#: the largest count or population accepted (a plausibility bound, not a rule of nature)
MAX_COUNT = 100_000_000


#: the keys a version-1 profile may hold, per object (anything else is refused, so that an
#: imported file cannot carry more than aggregates)
KEYS = {
    "": {"schema", "version", "generated_on", "period", "city", "places_by_status", "methods",
         "plan", "indicators"},
    "period": {"start", "end"},
    "city": {"slug", "name", "population", "unemployment_rate", "ill_health_days",
             "statistics_year"},
    "plan": {"title", "period_start", "period_end", "goals", "goals_with_sub_goals",
             "goals_broken_down", "sub_goals", "measurable_sub_goals", "actions",
             "actions_by_status", "done_share"},
    "indicator": {"value", "periods", "unit", "per_100k"},
}


class _Check:
    """Typed reads of one profile, collecting every problem (path → messages)."""

    def __init__(self) -> None:
        self.problems = Problems()

    def bad(self, path: str, message: str) -> None:
        self.problems.add(path, message)

    def obj(self, data: object, path: str, *, optional: bool = False,
            keys: str | None = None) -> dict | None:
        if data is None and optional:
            return None
        if not isinstance(data, dict):
            self.bad(path, _("must be an object"))
            return None
        if keys is not None:
            for key in data:
                if key not in KEYS[keys]:
                    where = f"{path}.{key}" if path else str(key)
                    self.bad(where, _("is not a field of a city profile"))
        return data

    def number(self, data: dict, key: str, path: str, *, low: float, high: float,
               optional: bool = True, integer: bool = False) -> float | None:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if not optional:
                self.bad(where, _("is required"))
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not math.isfinite(value)):
            self.bad(where, _("must be a number"))
            return None
        if integer and not float(value).is_integer():
            self.bad(where, _("must be a whole number"))
            return None
        if not low <= value <= high:
            self.bad(where, _("must be between %(low)s and %(high)s") % {"low": low,
                                                                         "high": high})
            return None
        return value

    def text(self, data: dict, key: str, path: str, *, max_length: int,
             optional: bool = False) -> str | None:
        value = data.get(key)
        where = f"{path}.{key}"
        if value is None or value == "":
            if not optional:
                self.bad(where, _("is required"))
            return None
        if not isinstance(value, str) or len(value) > max_length:
            self.bad(where, _("must be text of at most %(n)s characters") % {"n": max_length})
            return None
        return value

    def day(self, data: dict, key: str, path: str, *, optional: bool = False) -> date | None:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if not optional:
                self.bad(where, _("is required"))
            return None
        try:
            if isinstance(value, str) and len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.bad(where, _("must be a date (YYYY-MM-DD)"))
        return None


def validate(data: object) -> dict:
    """Check a parsed profile file; return it unchanged or raise :class:`ValidationFailed`
    with every problem (``errors``: path → messages)."""
    c = _Check()
    root = c.obj(data, "profile")
    if root is None:
        c.problems.raise_if_any()
    assert root is not None
    if root.get("schema") != SCHEMA:
        c.bad("schema", _("must be %(schema)s") % {"schema": SCHEMA})
    version = root.get("version")
    if version != VERSION:
        c.bad("version", _("version %(found)s is not supported (this installation reads "
                           "version %(version)s)") % {"found": version, "version": VERSION})
        c.problems.raise_if_any()
    c.obj(root, "", keys="")
    c.day(root, "generated_on", "")
    period = c.obj(root.get("period"), "period", keys="period")
    if period is not None:
        start, end = c.day(period, "start", "period"), c.day(period, "end", "period")
        if start and end and start > end:
            c.bad("period.end", _("must not be before the start"))
    city = c.obj(root.get("city"), "city", keys="city")
    if city is not None:
        slug = c.text(city, "slug", "city", max_length=50)
        if slug is not None and not SLUG.match(slug):
            c.bad("city.slug", _("must be lowercase letters, digits and hyphens"))
        c.text(city, "name", "city", max_length=120)
        c.number(city, "population", "city", low=1, high=MAX_COUNT, integer=True)
        c.number(city, "unemployment_rate", "city", low=0, high=100)
        c.number(city, "ill_health_days", "city", low=0, high=366)
        c.number(city, "statistics_year", "city", low=1900, high=2200, integer=True)
    places = c.obj(root.get("places_by_status"), "places_by_status")
    if places is not None:
        for key in places:
            if key not in PLACE_STATUSES:
                c.bad(f"places_by_status.{key}", _("is not a place status"))
        for key in PLACE_STATUSES:
            c.number(places, key, "places_by_status", low=0, high=MAX_COUNT, integer=True,
                     optional=False)
    methods = c.obj(root.get("methods"), "methods")
    if methods is not None:
        for key in methods:
            if not isinstance(key, str) or not KEY.match(key):
                c.bad(f"methods.{key}", _("is not a valid kind of action"))
            else:
                c.number(methods, key, "methods", low=0, high=MAX_COUNT, integer=True,
                         optional=False)
    _validate_plan(c, root.get("plan"))
    indicators = c.obj(root.get("indicators"), "indicators")
    if indicators is not None:
        for slug, item in indicators.items():
            path = f"indicators.{slug}"
            if not isinstance(slug, str) or not KEY.match(slug):
                c.bad(path, _("is not a valid indicator slug"))
                continue
            item = c.obj(item, path, keys="indicator")
            if item is None:
                continue
            c.number(item, "value", path, low=0, high=1e12)
            c.number(item, "per_100k", path, low=0, high=1e12)
            c.number(item, "periods", path, low=0, high=1000, integer=True)
            unit = item.get("unit", "")
            if not isinstance(unit, str) or len(unit) > 60:
                c.bad(f"{path}.unit", _("must be text of at most %(n)s characters") % {"n": 60})
    c.problems.raise_if_any()
    return root


def _validate_plan(c: _Check, data: object) -> None:
    plan = c.obj(data, "plan", optional=True, keys="plan")
    if plan is None:
        return
    c.text(plan, "title", "plan", max_length=200)
    start = c.day(plan, "period_start", "plan")
    end = c.day(plan, "period_end", "plan")
    if start and end and start > end:
        c.bad("plan.period_end", _("must not be before the start"))
    counts = {k: c.number(plan, k, "plan", low=0, high=MAX_COUNT, integer=True,
                          optional=False)
              for k in ("goals", "goals_with_sub_goals", "goals_broken_down", "sub_goals",
                        "measurable_sub_goals", "actions")}
    for part, whole in (("goals_with_sub_goals", "goals"), ("goals_broken_down", "goals"),
                        ("measurable_sub_goals", "sub_goals")):
        if counts[part] is not None and counts[whole] is not None and counts[part] > counts[whole]:
            c.bad(f"plan.{part}", _("must not exceed plan.%(whole)s") % {"whole": whole})
    c.number(plan, "done_share", "plan", low=0, high=1)
    by_status = c.obj(plan.get("actions_by_status"), "plan.actions_by_status")
    if by_status is not None:
        total = 0
        for key in by_status:
            if key not in PLAN_STATUSES:
                c.bad(f"plan.actions_by_status.{key}", _("is not a status of a plan action"))
                continue
            n = c.number(by_status, key, "plan.actions_by_status", low=0, high=MAX_COUNT,
                         integer=True, optional=False)
            total += int(n or 0)
        if counts["actions"] is not None and total != counts["actions"]:
            c.bad("plan.actions_by_status", _("must add up to plan.actions"))


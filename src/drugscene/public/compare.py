"""Cities side by side, as the six-city study of open drug scenes compares them (Urban
Utveckling for Brå, 2021: population, unemployment, ill-health, the places, the methods in
use and whether goals are broken down into measurable sub-goals), plus indicators per
100,000 inhabitants and plan progress.

:func:`city_figures` computes the figures of a local city - aggregates only: counts, sums
and shares, no report, no person, no organisation's text. The same dictionary is the
*city profile* that ``drugscene profile export`` writes and another installation imports
(:mod:`drugscene.public.profile` validates it), so a local city and an imported profile
compare alike.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.actions.models import Action, ActionStatus
from drugscene.cities.models import City
from drugscene.core.errors import ValidationFailed
from drugscene.indicators.models import Indicator
from drugscene.indicators.selectors import series
from drugscene.places.models import Place, PlaceStatus
from drugscene.plans.models import Goal, PlanActionStatus, SubGoal
from drugscene.plans.selectors import current_plan
from drugscene.public.models import CityProfile
from drugscene.public.profile import SCHEMA, VERSION
from drugscene.scenes.checks import city_today

#: indicators compared per 100,000 inhabitants over the last twelve whole months
INDICATORS: tuple[str, ...] = ("reports-drug", "overdose-deaths", "police-drug-offences",
                               "syringe-finds")
#: how many cities one comparison may hold
MIN_CITIES, MAX_CITIES = 2, 6


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(today: date) -> tuple[date, date]:
    """The twelve whole calendar months before the month of ``today`` (inclusive days)."""
    end = date(today.year, today.month, 1)
    return _add_months(end, -12), end - timedelta(days=1)


def per_100k(value: float | None, population: int | None) -> float | None:
    if value is None or not population:
        return None
    return round(value * 100_000 / population, 2)


def _indicator_total(city: City, slug: str, start: date, end: date) -> dict:
    ind = Indicator.objects.filter(city=city, slug=slug).select_related("city").first()
    if ind is None:
        return {"value": None, "periods": 0, "unit": ""}
    points = [p for p in series(ind, start=start, end=end)
              if p.period_start >= start and p.period_end <= end and p.value is not None]
    if not points:
        return {"value": None, "periods": 0, "unit": ind.unit}
    return {"value": round(sum(p.value for p in points), 4), "periods": len(points),
            "unit": ind.unit}


def _plan_figures(city: City) -> dict | None:
    plan = current_plan(city)
    if plan is None:
        return None
    measurable = SubGoal.objects.filter(goal=OuterRef("pk"), indicator__isnull=False,
                                        target__isnull=False)
    goals = Goal.objects.filter(plan=plan).annotate(
        subs=Count("sub_goals"), measurable=Exists(measurable))
    n_goals = goals.count()
    statuses = Counter(plan.actions.values_list("status", flat=True))
    n_actions = sum(statuses.values())
    done = statuses.get(PlanActionStatus.DONE, 0)
    subs = SubGoal.objects.filter(goal__plan=plan)
    return {
        "title": plan.title,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "goals": n_goals,
        "goals_with_sub_goals": goals.filter(subs__gt=0).count(),
        "goals_broken_down": goals.filter(measurable=True).count(),
        "sub_goals": subs.count(),
        "measurable_sub_goals": subs.filter(indicator__isnull=False,
                                            target__isnull=False).count(),
        "actions": n_actions,
        "actions_by_status": {s: statuses.get(s, 0) for s in PlanActionStatus.values},
        "done_share": round(done / n_actions, 4) if n_actions else None,
    }


def city_figures(city: City, today: date | None = None) -> dict:
    """The comparison figures of a local city (the city profile, schema version 1)."""
    today = today or city_today(city)
    start, end = period_of(today)
    places = Counter(Place.objects.filter(city=city, merged_into__isnull=True)
                     .values_list("status", flat=True))
    methods = Counter(
        Action.objects.filter(city=city, start__lte=end)
        .exclude(status=ActionStatus.CANCELLED)
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .values_list("kind", flat=True))
    indicators = {}
    for slug in INDICATORS:
        total = _indicator_total(city, slug, start, end)
        indicators[slug] = {**total, "per_100k": per_100k(total["value"], city.population)}
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "generated_on": today.isoformat(),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "city": {
            "slug": city.slug, "name": city.name, "population": city.population,
            "unemployment_rate": city.unemployment_rate,
            "ill_health_days": city.ill_health_days,
            "statistics_year": city.statistics_year,
        },
        "places_by_status": {s: places.get(s, 0) for s in PlaceStatus.values},
        "methods": dict(sorted(methods.items())),
        "plan": _plan_figures(city),
        "indicators": indicators,
    }


# --- who compares what ------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One column of a comparison: a local city or an imported profile."""

    slug: str
    name: str
    imported: bool
    figures: dict


@dataclass(frozen=True)
class Option:
    slug: str
    name: str
    imported: bool


def comparable_cities(viewer: Viewer):
    """Local cities a viewer may compare: their own cities and every city with a public
    page (its figures are aggregates); an operator (superuser) every city."""
    qs = City.objects.order_by("name")
    if viewer.is_superuser:
        return qs
    return qs.filter(Q(pk__in=viewer.city_ids) | Q(public_enabled=True))


def choices(viewer: Viewer) -> list[Option]:
    if viewer.is_anonymous:
        return []
    local = [Option(c.slug, c.name, False) for c in comparable_cities(viewer)]
    imported = [Option(p.slug, p.name, True) for p in CityProfile.objects.order_by("name")]
    return local + imported


def resolve(viewer: Viewer, names: list[str], today: date | None = None) -> list[Entry]:
    """The entries named (local city slugs first, then imported profiles), in order."""
    names = [n.strip() for n in names if n.strip()]
    if not MIN_CITIES <= len(names) <= MAX_CITIES:
        raise ValidationFailed(
            _("Name between %(min)s and %(max)s cities, separated by commas.")
            % {"min": MIN_CITIES, "max": MAX_CITIES}, field="cities")
    if len(set(names)) != len(names):
        raise ValidationFailed(_("A city is named twice."), field="cities")
    local = {c.slug: c for c in comparable_cities(viewer).filter(slug__in=names)}
    profiles = {p.slug: p for p in CityProfile.objects.filter(slug__in=names)}
    unknown = [n for n in names if n not in local and n not in profiles]
    if unknown:
        raise ValidationFailed(_("Unknown city or profile: %(names)s.")
                               % {"names": ", ".join(unknown)}, field="cities")
    out = []
    for n in names:
        if n in local:
            c = local[n]
            out.append(Entry(c.slug, c.name, False, city_figures(c, today)))
        else:
            p = profiles[n]
            out.append(Entry(p.slug, p.name, True, p.data))
    return out

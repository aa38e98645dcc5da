"""Pages of the indicators: the list with latest values and trend arrows, one indicator with
its chart, trend test, caveat, districts, breakdowns and measurements, the measurement form
and the CSV upload. Every member of the city reads; analysts and coordinators enter."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from drugscene.accounts.access import Perm
from drugscene.cities.selectors import areas_of
from drugscene.core.errors import NotVisible, ValidationFailed
from drugscene.indicators import charts, selectors, services
from drugscene.indicators import periods as P
from drugscene.indicators.catalogue import caveat_text
from drugscene.indicators.forms import ImportForm, MeasurementForm
from drugscene.indicators.models import Gender, Indicator
from drugscene.web.common import pages, render_in, require, viewer_of
from drugscene.web.forms import add_domain_errors

#: measurements shown in the table before "and N more"
TABLE_ROWS = 200


def _recent(ind: Indicator) -> list[selectors.Point]:
    """The last two points of the city series (enough for the latest value and arrow)."""
    if ind.computed:
        today = selectors._today(ind)
        start = P.bucket(today, ind.frequency)[0] - timedelta(days=1)
        for _k in range(2):
            start = P.bucket(start, ind.frequency)[0] - timedelta(days=1)
        return selectors.series(ind, start=start + timedelta(days=1))[-2:]
    return selectors.series(ind)[-2:]


@pages
def indicator_list(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    indicators = list(selectors.visible_indicators(viewer, city_id=city.pk).filter(active=True))
    if not indicators and not city.indicators.exists():
        services.ensure_default_indicators(city)
        indicators = list(selectors.visible_indicators(viewer, city_id=city.pk)
                          .filter(active=True))
    rows = []
    for ind in indicators:
        recent = _recent(ind)
        arrow = selectors.arrow(ind, recent)
        change = {"up": 1, "down": -1}.get(arrow, 0)
        rows.append({"indicator": ind, "latest": recent[-1] if recent else None,
                     "arrow": arrow, "judgement": selectors.judgement(ind, change)})
    return render_in(request, city, "indicators/list.html", {
        "rows": rows, "can_enter": services.can_enter(viewer, city.pk),
    })


def _area_of(request: HttpRequest, city_id: int):
    slug = request.GET.get("district") or ""
    if not slug:
        return None
    area = areas_of(city_id).filter(slug=slug).first()
    if area is None:
        raise NotVisible(_("District not found: %(slug)s") % {"slug": slug})
    return area


def _trend_context(ind: Indicator, points) -> dict | None:
    t = selectors.trend(points)
    if t is None:
        return None
    return {"t": t, "judgement": selectors.judgement(ind, t.direction),
            "kind": {"day": _("per day"), "week": _("per week"), "month": _("per month"),
                     "quarter": _("per quarter"), "year": _("per year")}[t.kind]}


def _detail_context(request: HttpRequest, viewer, city, ind: Indicator, *,
                    form: MeasurementForm | None = None) -> dict:
    area = _area_of(request, city.pk)
    areas = list(areas_of(city.pk))
    per_district = None
    if ind.level == "district" and area is None:
        points, per_district = selectors.city_and_district_series(ind)
    else:
        points = selectors.series(ind, area)
    targets = [t for t in selectors.plan_targets(ind)
               if t.get("area_id") == (area.pk if area else None)]
    ctx = {
        "indicator": ind, "area": area, "districts": areas, "points": points,
        "caveat": caveat_text(ind.caveat),
        "chart_b64": charts.b64(charts.series_chart(points, unit=ind.unit_label, targets=targets,
                                                    percent=ind.unit == "%")),
        "targets": targets,
        "trend": _trend_context(ind, points),
        "sources": selectors.sources(ind) if not ind.computed else [],
        "can_enter": services.can_enter(viewer, city.pk) and not ind.computed,
        "latest": points[-1] if points else None,
    }
    if per_district:
        ctx["districts_b64"] = charts.b64(charts.small_multiples(
            [(a.name, pts) for a, pts in per_district], unit=ind.unit_label))
    if not ind.computed:
        split = selectors.breakdowns(ind, area)
        genders = dict(Gender.choices)
        if split["gender"]:
            ctx["gender_b64"] = charts.b64(charts.breakdown_chart(
                [(str(genders.get(g, g)), pts) for g, pts in split["gender"]], unit=ind.unit_label))
        if split["age"]:
            ctx["age_b64"] = charts.b64(charts.breakdown_chart(split["age"], unit=ind.unit_label))
        table = selectors.measurements(ind)
        ctx["measurements"] = list(table[:TABLE_ROWS])
        ctx["more"] = max(0, table.count() - TABLE_ROWS)
    if ctx["can_enter"]:
        ctx["form"] = form or MeasurementForm(indicator=ind, areas=areas,
                                              initial={"area": area.slug if area else ""})
    return ctx


@pages
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    ind = selectors.get_indicator(viewer, indicator_id)
    return render_in(request, ind.city, "indicators/detail.html",
                     _detail_context(request, viewer, ind.city, ind))


@require_POST
@pages
def measurement_add(request: HttpRequest, indicator_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    ind = selectors.get_indicator(viewer, indicator_id)
    services.require_enter(viewer, ind.city_id)
    form = MeasurementForm(request.POST, indicator=ind, areas=list(areas_of(ind.city_id)))
    if form.is_valid():
        try:
            outcome = services.save_measurement(viewer, ind, form.measurement_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The measurement was updated.") if outcome == "updated"
                             else _("The measurement was saved."))
            return redirect(reverse("indicators:detail", args=[ind.pk]) + "#measurements")
    return render_in(request, ind.city, "indicators/detail.html",
                     _detail_context(request, viewer, ind.city, ind, form=form), status=422)


@require_POST
@pages
def measurement_delete(request: HttpRequest, measurement_id: int) -> HttpResponse:
    m = services.delete_measurement(viewer_of(request), measurement_id)
    messages.success(request, _("The measurement was deleted."))
    return redirect(reverse("indicators:detail", args=[m.indicator_id]) + "#measurements")


@pages
def import_page(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    services.require_enter(viewer, city.pk)
    status, problems = 200, []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            services.ensure_default_indicators(city)
            try:
                result = services.import_csv(viewer, city, form.cleaned_data["file"].read())
            except services.ImportFailed as exc:
                problems = exc.lines
            else:
                messages.success(request, _(
                    "Imported %(rows)s rows: %(created)s new, %(updated)s updated, "
                    "%(unchanged)s unchanged.") % {
                        "rows": result.rows, "created": result.created,
                        "updated": result.updated, "unchanged": result.unchanged})
                return redirect("indicators:list")
        status = 422
    else:
        form = ImportForm()
    indicators = list(selectors.visible_indicators(viewer, city_id=city.pk)
                      .filter(computed=""))
    return render_in(request, city, "indicators/import.html", {
        "form": form, "problems": problems, "indicators": indicators,
        "districts": list(areas_of(city.pk)),
    }, status=status)

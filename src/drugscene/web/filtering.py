"""The one filter form of the map, the list and the map data: build, validate, apply."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone

from drugscene.accounts.selectors import organisations_of
from drugscene.cities.models import City
from drugscene.cities.selectors import areas_of
from drugscene.core.errors import ValidationFailed
from drugscene.places.selectors import visible_places
from drugscene.reports.params import filter_from_params
from drugscene.reports.selectors import ReportFilter, visible_categories
from drugscene.web.common import city_tz, viewer_of
from drugscene.web.forms import QUICK_DAYS, FilterForm, filter_data


def filter_form(request: HttpRequest, city: City) -> FilterForm:
    today = timezone.now().astimezone(city_tz(city)).date()
    return FilterForm(
        filter_data(request.GET, today),
        categories=visible_categories(city.pk),
        organisations=organisations_of(city.pk),
        areas=areas_of(city.pk),
        places=visible_places(viewer_of(request), city_id=city.pk).order_by("name"),
    )


def report_filter(form: FilterForm, city: City, **extra: str) -> ReportFilter | None:
    """The validated filter, or ``None`` with the problems added to ``form``."""
    if not form.is_valid():
        return None
    try:
        return filter_from_params(city, {**form.params(), **extra})
    except ValidationFailed as exc:
        form.add_domain_error(exc)
        return None


def filter_context(request: HttpRequest, form: FilterForm) -> dict:
    """What ``web/_filters.html`` needs, plus the query that reproduces this view."""
    params = form.params() if form.is_valid() else {}
    if request.GET.get("city"):
        params = {"city": request.GET["city"], **params}
    query = urlencode({k: v for k, v in params.items() if v or k == "from"})
    return {
        "filter_form": form,
        "filter_query": query,
        "quick_days": QUICK_DAYS,
        "city_param": request.GET.get("city", ""),
    }

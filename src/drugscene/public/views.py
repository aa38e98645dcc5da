"""The public page of a city (no login), its hexagon GeoJSON, and the comparison of cities
(signed-in users). Thin: parse, call selectors, render."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from drugscene.core.errors import NotVisible, ValidationFailed
from drugscene.indicators.selectors import public_series
from drugscene.plans.selectors import current_plan, public_summary
from drugscene.public import compare as cmp
from drugscene.public.render import compare_context
from drugscene.public.selectors import (
    district_outlines,
    hexagons_geojson,
    min_count,
    public_city,
    public_window,
)
from drugscene.public.trends import trend_of
from drugscene.scenes.checks import city_today
from drugscene.web.common import city_tz, pages, viewer_of

#: seconds a browser (page) or any cache (GeoJSON) may keep a public answer
PAGE_MAX_AGE = 300
GEOJSON_MAX_AGE = 3600
#: seconds the server keeps the plan summary and trends of a public page (they take a
#: couple of seconds to compute for a large city and change monthly, not by the minute)
PAGE_DATA_TTL = 600


def _page_data(c, language: str) -> dict:
    """The plan summary and the trends of the public page, cached per city, language and
    day (the page shows delayed figures: ten minutes of staleness change nothing)."""
    key = f"drugscene:public:{c.pk}:{c.slug}:{language}:{city_today(c).isoformat()}"
    data = cache.get(key)
    if data is None:
        plan = current_plan(c)
        data = {"summary": public_summary(plan) if plan is not None else None,
                "trends": [trend_of(s) for s in public_series(c)]}
        cache.set(key, data, PAGE_DATA_TTL)
    return data


def _city_or_404(slug: str):
    try:
        return public_city(slug)
    except NotVisible:
        raise Http404(_("Not found.")) from None


def _language_for(request: HttpRequest, city) -> str:
    """The visitor's own choice (the language switch sets a cookie), else the city's."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    available = {code for code, _name in settings.LANGUAGES}
    if chosen in available:
        return chosen
    return city.default_language if city.default_language in available else \
        settings.LANGUAGE_CODE


@require_GET
def public_page(request: HttpRequest, city: str) -> HttpResponse:
    c = _city_or_404(city)
    language = _language_for(request, c)
    request.LANGUAGE_CODE = language
    # the city's language for this response only (activate() would outlive the request
    # in the thread)
    with translation.override(language):
        response = _public_page(request, c, language)
    response["Content-Language"] = language
    patch_cache_control(response, private=True, max_age=PAGE_MAX_AGE)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _public_page(request: HttpRequest, c, language: str) -> HttpResponse:
    window = public_window(c)
    data = _page_data(c, language)
    config = {
        "geojson": reverse("public:hexagons", args=[c.slug]),
        "centre": [c.centre_lon, c.centre_lat],
        "districts": district_outlines(c),
        "tile_url": settings.TILE_URL,
        "tile_attribution": settings.TILE_ATTRIBUTION,
        "labels": {
            "legend": _("Reports per hexagon"),
            "cell": _("%(n)s reports in this hexagon") % {"n": "{n}"},
            "empty": _("No hexagon has enough reports to be shown."),
            "failed": _("The map could not be loaded."),
        },
    }
    with timezone.override(city_tz(c)):
        response = render(request, "public/page.html", {
            "city": c, "public_city": c, "window": window, "min_count": min_count(c),
            "summary": data["summary"], "trends": data["trends"], "config": config,
        })
    return response


@require_GET
def public_hexagons(request: HttpRequest, city: str) -> HttpResponse:
    c = _city_or_404(city)
    data = hexagons_geojson(c)
    body = json.dumps(data, separators=(",", ":"))
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=GEOJSON_MAX_AGE)
    return response


@pages
def compare_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    names = [s for s in (request.GET.get("cities") or "").split(",") if s.strip()]
    options = cmp.choices(viewer)
    error, context = None, {}
    if names:
        try:
            entries = cmp.resolve(viewer, names)
            context = compare_context(entries)
        except ValidationFailed as exc:
            error = exc.message
    elif len(options) >= 2:
        names = [o.slug for o in options[:2]]
    status = 400 if error else 200
    return render(request, "public/compare.html", {
        **context, "error": error, "options": options, "chosen": names,
    }, status=status)


@pages
def compare_json(request: HttpRequest) -> JsonResponse:
    viewer = viewer_of(request)
    names = [s for s in (request.GET.get("cities") or "").split(",") if s.strip()]
    try:
        entries = cmp.resolve(viewer, names)
    except ValidationFailed as exc:
        return JsonResponse(exc.as_dict(), status=422)
    return JsonResponse({"cities": [e.figures for e in entries]})

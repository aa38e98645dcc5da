"""The map page and its data: points when few, H3 hexagons when many."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm
from drugscene.accounts.models import OrganisationKind
from drugscene.cities.models import PoliceClass
from drugscene.core.errors import DomainError, http_status
from drugscene.geo import h3grid
from drugscene.reports.models import ReviewStatus
from drugscene.reports.params import filter_from_params
from drugscene.reports.selectors import filter_reports, hexagon_counts
from drugscene.web.common import city_tz, pages, render_in, require
from drugscene.web.filtering import filter_context, filter_form, report_filter

POINT_LIMIT = 2000


@pages
def map_page(request: HttpRequest) -> HttpResponse:
    _viewer, city = require(request, Perm.VIEW_REPORTS)
    form = filter_form(request, city)
    report_filter(form, city)  # only to show problems next to the filters
    suffix = f"?city={city.slug}"
    labels = {
        "police_class": dict(PoliceClass.choices),
        "review": dict(ReviewStatus.choices),
        "legend": _("Legend"),
        "districts": _("Districts"),
        "places": _("Registered places"),
        "reports": _("Reports"),
        "hexagons": _("Reports per hexagon"),
        # worded so that no plural form is needed (the number is filled in the browser)
        "in_view": _("Reports in view: %(n)s"),
        "loading": _("Loading…"),
        "failed": _("Could not load the reports."),
        "open": _("Open report #%(id)s"),
        "zoom_in": _("Reports here: %(n)s. Zoom in to see them one by one."),
        "mode_points": _("Each dot is one report."),
        "mode_hexagons": _("Too many reports to show one by one: counts per hexagon."),
    }
    return render_in(request, city, "web/map.html", {
        **filter_context(request, form),
        "filter_action": reverse("web:map"),
        "map_config": {
            "dataUrl": reverse("web:map-data"),
            "districtsUrl": reverse("api:list_districts") + suffix,
            "placesUrl": reverse("api:list_places") + suffix + "&format=geojson",
            "findingsUrl": reverse("walks:findings-geojson") + suffix,
            "centre": [city.centre_lon, city.centre_lat],
            "tileUrl": settings.TILE_URL,
            "tileAttribution": settings.TILE_ATTRIBUTION,
            "labels": labels,
        },
        "bias_note": _("Counts show what partners reported, not everything that happened."),
    })


def _error(status: int, code: str, detail: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail, "fields": fields or {}}, status=status)


def map_data(request: HttpRequest) -> JsonResponse:
    """Reports in the map view. Same filters as the list, plus ``bbox`` and ``zoom``.

    ``mode`` is ``points`` (GeoJSON points, at most 2000) or ``hexagons`` (H3 cells at a
    resolution that suits the zoom, with ``count``).
    """
    if not request.user.is_authenticated:
        return _error(401, "not_authenticated", _("Please sign in."))
    try:
        viewer, city = require(request, Perm.VIEW_REPORTS)
    except DjangoPermissionDenied:
        return _error(403, "permission_denied", _("Your role does not allow this."))
    zoom_raw = request.GET.get("zoom", "13")
    try:
        zoom = int(zoom_raw)
        if not 0 <= zoom <= 22:
            raise ValueError
    except ValueError:
        return _error(422, "validation_failed", _("zoom must be a whole number 0..22."),
                      {"zoom": [_("zoom must be a whole number 0..22.")]})
    form = filter_form(request, city)
    if not form.is_valid():
        fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
        return _error(422, "validation_failed", _("Check the filters."), fields)
    extra = {"bbox": request.GET["bbox"]} if request.GET.get("bbox") else {}
    try:
        flt = filter_from_params(city, {**form.params(), **extra})
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=http_status(exc))
    qs = filter_reports(viewer, flt)
    total = qs.count()
    if total <= POINT_LIMIT:
        return JsonResponse(_points(qs, city), json_dumps_params={"ensure_ascii": False})
    resolution = h3grid.resolution_for_zoom(zoom)
    counts = hexagon_counts(qs, resolution)
    collection = h3grid.hexagon_collection(counts, resolution)
    return JsonResponse({**collection, "mode": "hexagons", "total": total})


def _points(qs, city) -> dict:
    tz = city_tz(city)
    kinds = dict(OrganisationKind.choices)
    statuses = dict(ReviewStatus.choices)
    rows = qs.order_by("-occurred_from", "-id").values_list(
        "id", "lon", "lat", "occurred_from", "category__name", "source__kind", "review_status"
    )[:POINT_LIMIT]
    detail = reverse("web:report-detail", args=[0]).replace("/0/", "/{id}/")
    features = [
        {
            "type": "Feature",
            "id": rid,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": rid,
                "category": gettext(cat),
                "time": when.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "source_kind": str(kinds.get(kind, kind)),
                "review_status": status,
                "review": str(statuses.get(status, status)),
                "url": detail.replace("{id}", str(rid)),
            },
        }
        for rid, lon, lat, when, cat, kind, status in rows
    ]
    return {"type": "FeatureCollection", "mode": "points", "total": len(features),
            "features": features}

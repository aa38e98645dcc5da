"""REST API v1. Thin: parse, call selectors/services, serialise. Errors map in one place."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from drugscene.accounts.access import Viewer, viewer_for
from drugscene.accounts.selectors import organisation_ids_by_slug
from drugscene.api import schemas as s
from drugscene.api.auth import AUTH, TokenUser
from drugscene.api.serialise import REPORT_RELATED, feature_collection, report_dicts
from drugscene.cities.models import City
from drugscene.cities.selectors import areas_of, city_for
from drugscene.core.clients import client_address
from drugscene.core.errors import DomainError, ValidationFailed, http_status
from drugscene.geo import h3grid
from drugscene.places.selectors import get_place, visible_places
from drugscene.reports import selectors as report_sel
from drugscene.reports import services as report_svc
from drugscene.reports.params import filter_from_params

api = NinjaAPI(
    title="drugscene API",
    version="1",
    description=(
        "Reports, places, categories and districts of a city's open drug scenes. "
        "Authenticate partner systems with `Authorization: Bearer <token>` "
        "(`drugscene token create USERNAME`). Every read applies the caller's visibility."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,
    auth=AUTH,
)


def _error(request: HttpRequest, status: int, code: str, detail: str,
           fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail, "fields": fields or {}}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=http_status(exc))


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> JsonResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        name = ".".join(loc) or "body"
        fields.setdefault(name, []).append(str(err.get("msg", "invalid")))
    if not fields:
        fields = {"body": ["invalid request"]}
    detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in fields.items())
    return _error(request, 422, "validation_failed", detail, fields)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> JsonResponse:
    return _error(request, 401, "not_authenticated",
                  _("Send 'Authorization: Bearer <token>' or log in."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    if exc.status_code == 400 and request.body:
        try:
            json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as bad:
            detail = _("The request body is not valid JSON: %(reason)s") % {"reason": bad}
            return _error(request, 400, "malformed_json", detail, {"body": [detail]})
    return _error(request, exc.status_code, "http_error", str(exc))


def _viewer(request: HttpRequest) -> Viewer:
    return viewer_for(request.user)


def _city(viewer: Viewer, slug: str | None) -> City:
    return city_for(viewer, slug)


reports = Router(tags=["reports"])
reference = Router(tags=["reference data"])
public = Router(tags=["public"], auth=None)


@reference.get("/categories", response=list[s.CategoryOut])
def list_categories(request: HttpRequest, city: str | None = None):
    c = _city(_viewer(request), city)
    return [
        {"slug": x.slug, "name": x.label, "parent": x.parent.slug if x.parent else None,
         "drug_related": x.drug_related, "tip_allowed": x.tip_allowed}
        for x in report_sel.visible_categories(c.pk)
    ]


@reference.get("/districts")
def list_districts(request: HttpRequest, city: str | None = None):
    """Districts as a GeoJSON FeatureCollection with the police classification."""
    c = _city(_viewer(request), city)
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": a.slug, "geometry": a.geometry,
             "properties": {"slug": a.slug, "name": a.name, "police_class": a.police_class}}
            for a in areas_of(c.pk)
        ],
    }


def _place_dict(p) -> dict:
    return {"id": p.pk, "slug": p.slug, "name": p.name, "place_type": p.place_type,
            "lon": p.lon, "lat": p.lat, "district": p.area.slug if p.area else None,
            "owner_kind": p.owner_kind, "indoor": p.indoor, "status": p.status}


@reference.get("/places")
def list_places(request: HttpRequest, city: str | None = None, format: str = "json"):
    """Registered places; ``format=geojson`` for a FeatureCollection."""
    viewer = _viewer(request)
    c = _city(viewer, city)
    items = [_place_dict(p) for p in visible_places(viewer, city_id=c.pk)]
    if format == "geojson":
        return feature_collection(items)
    if format != "json":
        raise ValidationFailed(_("format must be json or geojson."), field="format")
    return items


@reference.get("/places/{place_id}", response=s.PlaceOut)
def place_detail(request: HttpRequest, place_id: int):
    return _place_dict(get_place(_viewer(request), place_id))


@reports.get("/reports", response={200: s.ReportPage, 422: s.ErrorOut})
def list_reports(request: HttpRequest, city: str | None = None, page: int = 1,
                 page_size: int = 100, format: str = "json"):
    """Reports the caller may see, newest first.

    Filters: ``bbox=west,south,east,north``, ``from``/``to`` (ISO 8601; without offset in the
    city's time zone), ``category`` (slugs; a parent includes its children), ``source``
    (organisation slugs), ``district`` (slugs), ``place`` (ids), ``review`` (statuses).
    ``format=geojson`` answers a GeoJSON FeatureCollection.
    """
    viewer = _viewer(request)
    c = _city(viewer, city)
    if not 1 <= page_size <= settings.API_PAGE_SIZE_MAX:
        raise ValidationFailed(
            _("page_size must be 1..%(max)s.") % {"max": settings.API_PAGE_SIZE_MAX},
            field="page_size")
    if page < 1:
        raise ValidationFailed(_("page must be 1 or more."), field="page")
    if format not in ("json", "geojson"):
        raise ValidationFailed(_("format must be json or geojson."), field="format")
    qs = report_sel.filter_reports(viewer, filter_from_params(c, request.GET))
    total = qs.count()
    offset = (page - 1) * page_size
    rows = list(qs.select_related(*REPORT_RELATED)[offset:offset + page_size])
    items = report_dicts(rows)
    nxt = None
    if offset + page_size < total:
        q = request.GET.copy()
        q["page"] = str(page + 1)
        nxt = request.build_absolute_uri(f"{request.path}?{q.urlencode()}")
    meta = {"count": total, "page": page, "page_size": page_size, "next": nxt}
    if format == "geojson":
        return JsonResponse(feature_collection(items, extra=meta),
                            content_type="application/geo+json")
    return {**meta, "results": items}


@reports.get("/reports/hexagons")
def report_hexagons(request: HttpRequest, city: str | None = None, zoom: int = 13,
                    resolution: int | None = None):
    """Report counts per H3 hexagon (for maps with many points), GeoJSON polygons.

    The resolution follows the map zoom unless given. Same filters as ``/reports``.
    """
    viewer = _viewer(request)
    c = _city(viewer, city)
    res = resolution if resolution is not None else h3grid.resolution_for_zoom(zoom)
    if not 0 <= res <= h3grid.STORE_RESOLUTION:
        message = _("resolution must be 0..%(max)s.") % {"max": h3grid.STORE_RESOLUTION}
        raise ValidationFailed(message, field="resolution")
    qs = report_sel.filter_reports(viewer, filter_from_params(c, request.GET))
    counts = report_sel.hexagon_counts(qs, res)
    return h3grid.hexagon_collection(counts, res)


@reports.get("/reports/{report_id}", response=s.ReportOut)
def report_detail(request: HttpRequest, report_id: int):
    return report_dicts([report_sel.get_report(_viewer(request), report_id)])[0]


@reports.post("/reports", response={201: s.ReportOut, 422: s.ErrorOut, 403: s.ErrorOut})
def create_report(request: HttpRequest, payload: s.ReportIn):
    """Create a report on behalf of the caller's organisation. Free text is scrubbed."""
    viewer = _viewer(request)
    c = _city(viewer, payload.city)
    data = payload.dict(exclude={"city", "place", "restricted_to"})
    org_ids = organisation_ids_by_slug(c.pk, payload.restricted_to)
    unknown = [x for x in payload.restricted_to if x not in org_ids]
    if unknown:
        message = _("Unknown organisation: %(slugs)s.") % {"slugs": ", ".join(unknown)}
        raise ValidationFailed(message, field="restricted_to")
    report = report_svc.create_report(
        viewer, c,
        report_svc.ReportInput(**data, place_id=payload.place,
                               restricted_to=list(org_ids.values())),
        channel="api" if isinstance(request.auth, TokenUser) else "partner",
    )
    return Status(201, report_dicts([report_sel.get_report(viewer, report.pk)])[0])


@reports.post("/reports/{report_id}/review", response={200: s.ReportOut, 422: s.ErrorOut})
def review(request: HttpRequest, report_id: int, payload: s.ReviewIn):
    viewer = _viewer(request)
    report = report_svc.review_report(viewer, report_id, payload.status,
                                      duplicate_of=payload.duplicate_of)
    return report_dicts([report_sel.get_report(viewer, report.pk)])[0]


@public.post("/tips", response={201: s.CreatedOut, 422: s.ErrorOut, 429: s.ErrorOut})
def tip(request: HttpRequest, payload: s.TipIn):
    """Anonymous tip from a citizen: no login, no identity asked, rate-limited per client."""
    c = report_svc.tip_city(payload.city)
    report_svc.throttle_tip(client_address(request))
    try:
        report = report_svc.submit_tip(c, report_svc.ReportInput(
            category=payload.category, lon=payload.lon, lat=payload.lat,
            occurred_from=payload.occurred_at, text=payload.text,
        ))
    except DomainError as exc:
        # the tip API calls the time "occurred_at": name the field the caller sent
        exc.errors = {TIP_FIELDS.get(k, k): v for k, v in exc.errors.items()}
        raise
    return Status(201, {"id": report.pk})


TIP_FIELDS = {"occurred_from": "occurred_at"}


@public.get("/tips/categories", response=list[s.CategoryOut])
def tip_categories(request: HttpRequest, city: str | None = None):
    c = report_svc.tip_city(city)
    return [
        {"slug": x.slug, "name": x.label, "parent": x.parent.slug if x.parent else None,
         "drug_related": x.drug_related, "tip_allowed": x.tip_allowed}
        for x in report_sel.visible_categories(c.pk, tips_only=True)
    ]


api.add_router("", reference)
api.add_router("", reports)
api.add_router("", public)


def _mount_app_routers() -> None:
    """Routers that live in their own apps (imported late: they import this module's helpers)."""
    from drugscene.indicators.api import router as indicators
    from drugscene.notifications.api import router as notifications
    from drugscene.ogc.api import router as exports
    from drugscene.plans.api import router as plans

    for router in (plans, indicators, notifications, exports):
        api.add_router("", router)


_mount_app_routers()

"""OGC API – Features, Part 1 Core, with GeoJSON (and a plain HTML view), at ``/ogc/``.

Collections are per city and per kind: ``{city}-reports``, ``{city}-places``,
``{city}-actions`` and ``{city}-hotspots`` (so a QGIS or GDAL user sees one layer each,
named after the city). Reads go through ``ogc.selectors``, which applies the visibility of
the caller: ``Authorization: Bearer <token>``, the browser session, or nobody (keyless).

Paging: reports, places and actions are ordered by id and paged by keyset (``after``, the
last id of the previous page); hot spots by ``offset``. Clients follow the ``next`` link
and need not know which.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from drugscene.accounts.access import ANONYMOUS, Viewer, viewer_for
from drugscene.accounts.tokens import user_for_token
from drugscene.cities.models import City
from drugscene.ogc import cql2
from drugscene.ogc import features as F
from drugscene.ogc import selectors as sel
from drugscene.ogc.openapi import openapi_document

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
)
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA_JSON = "application/schema+json"

ITEM_PARAMS = {"limit", "bbox", "bbox-crs", "datetime", "f", "after", "offset", "filter",
               "filter-lang", "filter-crs"}


class OgcError(Exception):
    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def _problem(exc: OgcError) -> JsonResponse:
    response = JsonResponse({"code": exc.code, "description": exc.description},
                            status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="drugscene"'
    return response


def ogc_view(func):
    """GET/HEAD only; maps :class:`OgcError` to the OGC exception JSON."""

    @require_safe
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return func(request, *args, **kwargs)
        except OgcError as exc:
            return _problem(exc)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def viewer_of(request: HttpRequest) -> Viewer:
    """The caller: a bearer token (401 if it is not valid), the session, or keyless."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            raise OgcError(401, "not_authenticated", _("Send 'Authorization: Bearer <token>'."))
        user = user_for_token(raw.strip())
        if user is None:
            raise OgcError(401, "not_authenticated", _("The API token is not valid."))
        return viewer_for(user)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return viewer_for(user)
    return ANONYMOUS


def wants_html(request: HttpRequest) -> bool:
    f = request.GET.get("f")
    if f:
        if f not in ("json", "html", "geojson"):
            raise OgcError(400, "invalid_parameter",
                           _("f must be json, geojson or html."))
        return f == "html"
    accept = request.headers.get("Accept", "")
    return HTML in accept and "json" not in accept.split(HTML)[0]


def _abs(request: HttpRequest, name: str, *args, query: dict | None = None) -> str:
    url = request.build_absolute_uri(reverse(f"ogc:{name}", args=args))
    return url + ("?" + urlencode(query) if query else "")


def _link(href: str, rel: str, type_: str, title: str = "") -> dict:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def _json(data: dict, content_type: str = JSON, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False, default=str),
                        content_type=content_type, status=status)


# --- landing page, conformance, API ---------------------------------------------------------

@ogc_view
def landing(request: HttpRequest) -> HttpResponse:
    viewer_of(request)
    html = wants_html(request)
    doc = {
        "title": _("drugscene OGC API – Features"),
        "description": _("Reports, places, actions and hot spots of the cities' open drug "
                         "scenes, with the visibility of the caller."),
        "links": [
            _link(_abs(request, "landing"), "self", HTML if html else JSON,
                  _("This document")),
            _link(_abs(request, "landing", query={"f": "html" if not html else "json"}),
                  "alternate", JSON if html else HTML, _("This document")),
            _link(_abs(request, "api"), "service-desc", OPENAPI,
                  _("The API definition (OpenAPI 3.0)")),
            _link(_abs(request, "conformance"), "conformance", JSON,
                  _("Conformance classes")),
            _link(_abs(request, "collections"), "data", JSON, _("Collections")),
        ],
    }
    if html:
        return render(request, "ogc/page.html", {"doc": doc, "page": "landing"})
    return _json(doc)


@ogc_view
def conformance(request: HttpRequest) -> HttpResponse:
    doc = {"conformsTo": list(CONFORMANCE)}
    if wants_html(request):
        return render(request, "ogc/page.html", {"doc": doc, "page": "conformance"})
    return _json(doc)


@ogc_view
def api(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    ids = [f"{c.slug}-{k}" for c in sel.cities_of(viewer) for k in sel.kinds_for(viewer, c)]
    doc = openapi_document(_abs(request, "landing").rstrip("/"), ids, MAX_LIMIT,
                           DEFAULT_LIMIT)
    return _json(doc, OPENAPI)


# --- collections ----------------------------------------------------------------------------

def _title(city: City, kind: str) -> str:
    names = {
        "reports": _("Reports in %(city)s"),
        "places": _("Places in %(city)s"),
        "actions": _("Actions in %(city)s"),
        "hotspots": _("Hot spots of drug reports in %(city)s (last four weeks)"),
    }
    return names[kind] % {"city": city.name}


def _description(viewer: Viewer, kind: str) -> str:
    if kind == "reports" and viewer.is_anonymous:
        return _("Public reports in public categories, generalised: points on a grid of "
                 "about 200 m, times cut to the day.")
    texts = {
        "reports": _("The reports you may see, with exact points and times."),
        "places": _("The city's register of places."),
        "actions": _("Actions at places or in districts (a district-wide action is shown "
                     "at a point inside its district)."),
        "hotspots": _("Getis-Ord Gi* cells (H3 resolution 9) of the drug-related reports "
                      "you may see over the last four weeks; bin 3/2/1 hot at 99/95/90 %, "
                      "negative bins cold."),
    }
    return texts[kind]


def _city_bbox(city: City) -> list[float]:
    from drugscene.geo.shapes import geojson_bounds

    if city.boundary:
        return [round(v, 6) for v in geojson_bounds(city.boundary)]
    return [city.centre_lon - 0.1, city.centre_lat - 0.1, city.centre_lon + 0.1,
            city.centre_lat + 0.1]


def _collection_doc(request: HttpRequest, viewer: Viewer, city: City, kind: str) -> dict:
    cid = f"{city.slug}-{kind}"
    return {
        "id": cid,
        "title": _title(city, kind),
        "description": _description(viewer, kind),
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [_city_bbox(city)], "crs": CRS84},
                   "temporal": {"interval": [[None, None]],
                                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}},
        "links": [
            _link(_abs(request, "collection", cid), "self", JSON, _title(city, kind)),
            _link(_abs(request, "items", cid), "items", GEOJSON, _title(city, kind)),
            _link(_abs(request, "items", cid, query={"f": "html"}), "items", HTML,
                  _title(city, kind)),
            _link(_abs(request, "queryables", cid), QUERYABLES_REL, SCHEMA_JSON,
                  _("Properties to filter on")),
        ],
    }


def resolve(viewer: Viewer, collection_id: str) -> tuple[City, str]:
    slug, _sep, kind = collection_id.rpartition("-")
    city = sel.cities_of(viewer).filter(slug=slug).first() if slug else None
    if city is None or kind not in sel.kinds_for(viewer, city):
        raise OgcError(404, "not_found",
                       _("No collection %(id)s.") % {"id": collection_id})
    return city, kind


@ogc_view
def collections(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    html = wants_html(request)
    docs = [_collection_doc(request, viewer, c, k)
            for c in sel.cities_of(viewer) for k in sel.kinds_for(viewer, c)]
    doc = {"links": [_link(_abs(request, "collections"), "self", JSON),
                     _link(_abs(request, "collections", query={"f": "html"}), "alternate",
                           HTML)],
           "collections": docs}
    if html:
        return render(request, "ogc/page.html", {"doc": doc, "page": "collections"})
    return _json(doc)


@ogc_view
def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    viewer = viewer_of(request)
    html = wants_html(request)
    city, kind = resolve(viewer, collection_id)
    doc = _collection_doc(request, viewer, city, kind)
    if html:
        return render(request, "ogc/page.html", {"doc": doc, "page": "collection"})
    return _json(doc)


@ogc_view
def queryables(request: HttpRequest, collection_id: str) -> HttpResponse:
    """The properties a ``filter`` may use, as a JSON Schema (Part 3)."""
    viewer = viewer_of(request)
    city, kind = resolve(viewer, collection_id)
    props = {name: {"title": name, **q.schema()}
             for name, q in F.queryables_for(kind, viewer.is_anonymous).items()}
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$id": _abs(request, "queryables", collection_id),
           "type": "object", "title": _title(city, kind), "properties": props,
           "additionalProperties": False}
    return _json(doc, SCHEMA_JSON)


# --- query parameters -----------------------------------------------------------------------

def parse_limit(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    try:
        n = int(value)
    except ValueError:
        raise OgcError(400, "invalid_parameter",
                       _("limit must be a whole number.")) from None
    if n < 1:
        raise OgcError(400, "invalid_parameter", _("limit must be 1 or more."))
    return min(n, MAX_LIMIT)  # Part 1: a larger limit is not an error, the maximum applies


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value in (None, ""):
        return None
    try:
        nums = [float(v) for v in value.split(",")]
    except ValueError:
        nums = []
    if len(nums) == 6:  # minx,miny,minz,maxx,maxy,maxz: heights are ignored
        nums = [nums[0], nums[1], nums[3], nums[4]]
    if len(nums) != 4 or not all(math.isfinite(v) for v in nums):
        raise OgcError(400, "invalid_parameter",
                       _("bbox must be four numbers: west,south,east,north (CRS84)."))
    w, s, e, n = nums
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= n <= 90):
        raise OgcError(400, "invalid_parameter",
                       _("bbox is out of range or south is above north."))
    return w, s, e, n


def _moment(text: str, tz: ZoneInfo, *, end: bool) -> datetime:
    day = parse_date(text) if len(text) == 10 else None
    moment = None if day else parse_datetime(text)
    if moment is not None:
        if moment.tzinfo is None:
            raise OgcError(400, "invalid_parameter",
                           _("A time in datetime needs a time zone (RFC 3339): %(value)s")
                           % {"value": text})
        return moment
    if day is None:
        raise OgcError(400, "invalid_parameter",
                       _("Not an RFC 3339 date or time: %(value)s") % {"value": text})
    start, after = sel.day_bounds(day, tz)
    return after - timedelta(microseconds=1) if end else start


def parse_datetime_param(value: str | None, tz: ZoneInfo
                         ) -> tuple[datetime | None, datetime | None] | None:
    """``datetime`` as a closed interval ``(start, end)``, ``None`` for an open end.

    An instant is ``(t, t)``; a date alone is that whole day in the city's time zone.
    """
    if value in (None, ""):
        return None
    if "/" in value:
        a, _sep, b = value.partition("/")
        if "/" in b:
            raise OgcError(400, "invalid_parameter",
                           _("datetime has more than one '/'."))
        start = None if a in ("", "..") else _moment(a, tz, end=False)
        end = None if b in ("", "..") else _moment(b, tz, end=True)
        if start is None and end is None:
            raise OgcError(400, "invalid_parameter",
                           _("datetime must not be open at both ends."))
        if start and end and start > end:
            raise OgcError(400, "invalid_parameter",
                           _("datetime starts after it ends."))
        return start, end
    return _moment(value, tz, end=False), _moment(value, tz, end=True)


# --- items ----------------------------------------------------------------------------------

def _bbox_q_exact(bbox):
    from django.db.models import Q

    w, s, e, n = bbox
    lon = Q(lon__gte=w, lon__lte=e) if w <= e else (Q(lon__gte=w) | Q(lon__lte=e))
    return lon & Q(lat__gte=s, lat__lte=n)


def _bbox_q_keyless(bbox):
    w, s, e, n = bbox
    if w <= e:
        return sel.keyless_bbox_q(w, s, e, n)
    return sel.keyless_bbox_q(w, s, 180, n) | sel.keyless_bbox_q(-180, s, e, n)


def _report_time_q(interval, keyless: bool, tz: ZoneInfo):
    """Reports whose time [occurred_from, occurred_to or occurred_from] meets the interval
    (for keyless callers: the whole day of occurred_from)."""
    from django.db.models import Q

    start, end = interval
    q = Q()
    if keyless:
        if end is not None:
            q &= Q(occurred_from__lt=sel.day_bounds(end.astimezone(tz).date(), tz)[1])
        if start is not None:
            q &= Q(occurred_from__gte=sel.day_bounds(start.astimezone(tz).date(), tz)[0])
        return q
    if end is not None:
        q &= Q(occurred_from__lte=end)
    if start is not None:
        q &= Q(occurred_to__gte=start) | Q(occurred_to__isnull=True, occurred_from__gte=start)
    return q


def _action_time_q(interval, tz: ZoneInfo):
    """Actions whose days [start, end] meet the interval (no end: still running)."""
    from django.db.models import Q

    start, end = interval
    q = Q()
    if end is not None:
        q &= Q(start__lte=end.astimezone(tz).date())
    if start is not None:
        q &= Q(end__isnull=True) | Q(end__gte=start.astimezone(tz).date())
    return q


def _check_params(request: HttpRequest) -> None:
    unknown = sorted(set(request.GET) - ITEM_PARAMS)
    if unknown:
        raise OgcError(400, "invalid_parameter",
                       _("Unknown query parameter: %(names)s") % {"names": ", ".join(unknown)})
    crs = request.GET.get("bbox-crs")
    if crs and crs != CRS84:
        raise OgcError(400, "invalid_parameter",
                       _("Only CRS84 is supported for bbox-crs."))
    crs = request.GET.get("filter-crs")
    if crs and crs != CRS84:
        raise OgcError(400, "invalid_parameter",
                       _("Only CRS84 is supported for filter-crs."))
    lang = request.GET.get("filter-lang")
    if lang and lang != "cql2-text":
        raise OgcError(400, "invalid_parameter",
                       _("filter-lang must be cql2-text."))


def parse_filter(request: HttpRequest, viewer: Viewer, kind: str):
    """The CQL2-text ``filter`` as a syntax tree (``None`` without one); 400 if invalid."""
    text = request.GET.get("filter")
    if text is None:
        return None
    try:
        return cql2.parse(text, F.queryables_for(kind, viewer.is_anonymous))
    except cql2.CqlError as exc:
        raise OgcError(400, "invalid_filter",
                       _("The filter is not valid CQL2 text: %(reason)s")
                       % {"reason": str(exc)}) from None


def _next_query(request: HttpRequest, **change) -> dict:
    q = {k: v for k, v in request.GET.items() if k not in ("after", "offset")}
    q.update({k: str(v) for k, v in change.items()})
    return q


def items_query(viewer: Viewer, city: City, kind: str, bbox, interval, tree=None):
    """The filtered queryset of a database-backed collection, ordered by id."""
    qs = _items_query(viewer, city, kind, bbox, interval)
    if tree is not None:
        qs = qs.filter(cql2.to_q(tree, F.queryables_for(kind, viewer.is_anonymous)))
    return qs


def _items_query(viewer: Viewer, city: City, kind: str, bbox, interval):
    tz = ZoneInfo(city.timezone)
    if kind == "reports":
        qs = sel.reports_for(viewer, city.pk)
        if bbox:
            qs = qs.filter(_bbox_q_keyless(bbox) if viewer.is_anonymous
                           else _bbox_q_exact(bbox))
        if interval:
            qs = qs.filter(_report_time_q(interval, viewer.is_anonymous, tz))
        return qs.order_by("id")
    if kind == "places":
        qs = sel.places_for(viewer, city.pk)
        if bbox:
            qs = qs.filter(_bbox_q_exact(bbox))
        return qs.order_by("id")
    qs = sel.actions_for(viewer, city.pk)
    if interval:
        qs = qs.filter(_action_time_q(interval, tz))
    rows = qs.order_by("id")
    if bbox:
        # an action's point is its place's, or a point inside its district: test in Python
        keep = [a.pk for a in F.action_queryset(rows) if _in_bbox(F.action_point(a), bbox)]
        rows = rows.filter(pk__in=keep)
    return rows


def _in_bbox(point: tuple[float, float], bbox) -> bool:
    x, y = point
    w, s, e, n = bbox
    inside_lon = w <= x <= e if w <= e else (x >= w or x <= e)
    return inside_lon and s <= y <= n


def _ring_meets(ring: list[list[float]], bbox) -> bool:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    w, s, e, n = bbox
    if w > e:
        return _ring_meets(ring, (w, s, 180, n)) or _ring_meets(ring, (-180, s, e, n))
    return min(xs) <= e and max(xs) >= w and min(ys) <= n and max(ys) >= s


def _page_of(viewer: Viewer, city: City, kind: str, qs, limit: int, after: int):
    """One page after id ``after``: (features, whether more follow, the last id)."""
    page = qs.filter(id__gt=after)[: limit + 1] if after else qs[: limit + 1]
    if kind == "reports":
        transform = F.generaliser(city) if viewer.is_anonymous else None
        rows = F.report_rows(page, transform)
        more = len(rows) > limit
        feats = [F.report_feature(r) for r in rows[:limit]]
    elif kind == "places":
        objs = list(page)
        more = len(objs) > limit
        feats = [F.place_feature(F.place_row(p)) for p in objs[:limit]]
    else:
        objs = list(page)
        more = len(objs) > limit
        feats = [F.action_feature(F.action_row(a)) for a in objs[:limit]]
    return feats, more, (feats[-1]["id"] if feats else after)


@ogc_view
def items(request: HttpRequest, collection_id: str) -> HttpResponse:
    viewer = viewer_of(request)
    html = wants_html(request)
    city, kind = resolve(viewer, collection_id)
    _check_params(request)
    limit = parse_limit(request.GET.get("limit"))
    bbox = parse_bbox(request.GET.get("bbox"))
    interval = parse_datetime_param(request.GET.get("datetime"), ZoneInfo(city.timezone))
    tree = parse_filter(request, viewer, kind)
    links = []
    if kind == "hotspots":
        try:
            offset = int(request.GET.get("offset") or 0)
        except ValueError:
            offset = -1
        if offset < 0:
            raise OgcError(400, "invalid_parameter", _("offset must be 0 or more."))
        spots = sel.latest_hotspots(viewer, city)
        rows = [(row, ring) for row, ring in F.hotspot_rows(spots)
                if (bbox is None or _ring_meets(ring, bbox))
                and (tree is None or cql2.matches(tree, row) is True)]
        matched = len(rows)
        page = rows[offset:offset + limit]
        feats = [F.hotspot_feature(row, ring) for row, ring in page]
        if offset + limit < matched:
            links.append(_link(_abs(request, "items", collection_id,
                                    query=_next_query(request, offset=offset + limit,
                                                      limit=limit)),
                               "next", GEOJSON, _("Next page")))
    else:
        try:
            after = int(request.GET.get("after") or 0)
        except ValueError:
            raise OgcError(400, "invalid_parameter",
                           _("after must be a feature id.")) from None
        qs = items_query(viewer, city, kind, bbox, interval, tree)
        matched = qs.count()
        feats, more, last = _page_of(viewer, city, kind, qs, limit, after)
        if more:
            links.append(_link(_abs(request, "items", collection_id,
                                    query=_next_query(request, after=last, limit=limit)),
                               "next", GEOJSON, _("Next page")))
    self_q = {k: v for k, v in request.GET.items() if k != "f"}
    links[:0] = [
        _link(_abs(request, "items", collection_id, query=self_q or None), "self",
              HTML if html else GEOJSON, _("This page")),
        _link(_abs(request, "items", collection_id, query={**self_q, "f": "json" if html
                                                           else "html"}),
              "alternate", GEOJSON if html else HTML, _("This page")),
        _link(_abs(request, "collection", collection_id), "collection", JSON,
              _title(city, kind)),
    ]
    doc = {"type": "FeatureCollection", "features": feats, "links": links,
           "numberMatched": matched, "numberReturned": len(feats),
           "timeStamp": timezone.now().replace(microsecond=0).isoformat()
           .replace("+00:00", "Z")}
    if html:
        return render(request, "ogc/page.html", {"doc": doc, "page": "items",
                                                 "title": _title(city, kind)})
    return _json(doc, GEOJSON)


@ogc_view
def item(request: HttpRequest, collection_id: str, feature_id: str) -> HttpResponse:
    viewer = viewer_of(request)
    html = wants_html(request)
    city, kind = resolve(viewer, collection_id)
    missing = OgcError(404, "not_found", _("No feature %(id)s in %(collection)s.")
                       % {"id": feature_id, "collection": collection_id})
    if kind == "hotspots":
        spots = sel.latest_hotspots(viewer, city)
        found = [F.hotspot_feature(r, ring) for r, ring in F.hotspot_rows(spots)
                 if r["cell"] == feature_id]
        if not found:
            raise missing
        feature = found[0]
    else:
        try:
            pk = int(feature_id)
        except ValueError:
            raise missing from None
        qs = items_query(viewer, city, kind, None, None).filter(pk=pk)
        feats, _more, _last = _page_of(viewer, city, kind, qs, 1, 0)
        if not feats:
            raise missing
        feature = feats[0]
    feature["links"] = [
        _link(_abs(request, "item", collection_id, feature_id), "self",
              HTML if html else GEOJSON),
        _link(_abs(request, "item", collection_id, feature_id, query={"f": "json" if html
                                                                      else "html"}),
              "alternate", GEOJSON if html else HTML),
        _link(_abs(request, "collection", collection_id), "collection", JSON),
    ]
    if html:
        return render(request, "ogc/page.html", {"doc": {"features": [feature], "links":
                                                         feature["links"]},
                                                 "page": "items",
                                                 "title": _title(city, kind)})
    return _json(feature, GEOJSON)

"""Every Open311 read: services of a city, and the requests a caller may see.

Who sees which request:

* a caller whose API key belongs to a member of the city sees what
  :func:`drugscene.reports.selectors.visible_reports` gives that user (the one
  visibility rule), limited to the reports of the Open311 services (categories open to
  citizen tips), with exact positions and the (scrubbed) description;
* every other caller (no key, or a key of someone who is no member of this city) sees
  :func:`public_requests`: confirmed reports marked *public*, in categories that the city
  shows on its public page. They are generalised: the position is the centre of the H3
  cell at resolution :data:`SNAP_RESOLUTION` around the report (cells of about 0.1 km²,
  edges of ~175 m), the times are cut to the hour, no description, no place name (only
  the district). Tips awaiting review are never among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import h3
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.cities.models import City
from drugscene.core.errors import NotVisible, ValidationFailed
from drugscene.open311.models import RequestToken
from drugscene.places.models import PlaceStatus
from drugscene.reports.models import Category, Report, ReviewStatus
from drugscene.reports.selectors import public_reports, visible_categories, visible_reports

SNAP_RESOLUTION = 9
MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
#: the one attribute every service takes (GeoReport v2 service definition)
OCCURRED_AT = "occurred_at"
#: a request is closed when its report is rejected or a duplicate, or its place is quiet
CLOSED_REVIEW = (ReviewStatus.REJECTED, ReviewStatus.DUPLICATE)
CLOSED_PLACE = (PlaceStatus.RESOLVED, PlaceStatus.DORMANT)
RELATED = ("category", "category__parent", "place", "area", "city")


# --- jurisdictions -----------------------------------------------------------------------

def jurisdiction(slug: str | None) -> City:
    """The city named by ``jurisdiction_id``; optional only when one city is served."""
    if slug:
        city = City.objects.filter(slug=slug).first()
        if city is None:
            raise NotVisible(_("jurisdiction_id not found: %(id)s.") % {"id": slug})
        return city
    cities = list(City.objects.order_by("pk")[:2])
    if len(cities) == 1:
        return cities[0]
    if not cities:
        raise NotVisible(_("No jurisdiction is served here."))
    raise ValidationFailed(
        _("Required: this server serves several cities."),
        field="jurisdiction_id")


def jurisdictions() -> list[City]:
    return list(City.objects.order_by("slug"))


# --- services ----------------------------------------------------------------------------

def services_of(city: City) -> QuerySet[Category]:
    """The city's Open311 services: active categories open to citizen tips."""
    return visible_categories(city.pk, tips_only=True).order_by("order", "slug")


def get_service(city: City, code: str) -> Category:
    service = services_of(city).filter(slug=code).first()
    if service is None:
        raise NotVisible(_("service_code not found: %(code)s.") % {"code": code})
    return service


def service_dict(c: Category) -> dict:
    return {
        "service_code": c.slug,
        "service_name": c.label,
        "description": c.label,
        "metadata": True,
        "type": "batch",
        "keywords": ",".join(dict.fromkeys(k for k in (
            c.parent.slug if c.parent else "", "drugs" if c.drug_related else "") if k)),
        "group": c.parent.label if c.parent else "",
    }


def service_definition(c: Category) -> dict:
    return {
        "service_code": c.slug,
        "attributes": [{
            "variable": True,
            "code": OCCURRED_AT,
            "datatype": "datetime",
            "required": False,
            "datatype_description": _(
                "ISO 8601 with a time zone offset, e.g. 2026-05-01T21:30:00+02:00. "
                "Leave empty for now."),
            "order": 1,
            "description": _("When did you see it?"),
        }],
    }


# --- requests ----------------------------------------------------------------------------

def is_partner(viewer: Viewer, city: City) -> bool:
    """Whether the caller reads as a member of ``city`` (else as the public)."""
    return not viewer.is_anonymous and viewer.can(Perm.VIEW_REPORTS, city.pk)


def public_requests(city: City) -> QuerySet[Report]:
    """What a keyless caller may see (see the module docstring)."""
    return public_reports(city.pk).filter(category__tip_allowed=True, category__active=True)


def requests_for(viewer: Viewer, city: City) -> QuerySet[Report]:
    if is_partner(viewer, city):
        return visible_reports(viewer, city_id=city.pk).filter(
            category__tip_allowed=True, category__active=True)
    return public_requests(city)


def closed_q() -> Q:
    return Q(review_status__in=CLOSED_REVIEW) | Q(place__status__in=CLOSED_PLACE)


@dataclass(frozen=True)
class RequestQuery:
    """The filters of GET requests; ``ids`` overrides all the others (as the spec says)."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def list_requests(viewer: Viewer, city: City, query: RequestQuery) -> list[Report]:
    """Newest first, at most :data:`MAX_REQUESTS`; 90 days unless a window is given."""
    qs = requests_for(viewer, city)
    if query.ids:
        qs = qs.filter(pk__in=query.ids)
    else:
        if query.service_codes:
            known = set(services_of(city).values_list("slug", flat=True))
            unknown = sorted(set(query.service_codes) - known)
            if unknown:
                raise ValidationFailed(_("Not found: %(codes)s.")
                                       % {"codes": ", ".join(unknown)}, field="service_code")
            qs = qs.filter(category__slug__in=query.service_codes)
        start, end = query.start, query.end
        if start is None and end is None:
            start = timezone.now() - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW
        if start is not None and end is not None and start > end:
            raise ValidationFailed(_("start_date lies after end_date."), field="start_date")
        qs = qs.filter(reported_at__gte=start)
        if end is not None:
            qs = qs.filter(reported_at__lte=end)
        statuses = set(query.statuses)
        if statuses == {"open"}:
            qs = qs.exclude(closed_q())
        elif statuses == {"closed"}:
            qs = qs.filter(closed_q())
    return list(qs.select_related(*RELATED).order_by("-reported_at", "-id")[:MAX_REQUESTS])


def get_request(viewer: Viewer, city: City, request_id: int) -> Report:
    report = requests_for(viewer, city).select_related(*RELATED).filter(pk=request_id).first()
    if report is None:
        raise NotVisible(_("service_request_id not found: %(id)s.") % {"id": request_id})
    return report


def token_request(city: City, digest: str) -> RequestToken:
    row = (RequestToken.objects.select_related("report")
           .filter(digest=digest, report__city=city).first())
    if row is None:
        raise NotVisible(_("token not found."))
    return row


def token_dict(row: RequestToken, token: str) -> dict:
    """The request id once the report is reviewed (at once for a partner's request)."""
    known = row.by_partner or row.report.review_status != ReviewStatus.NEW
    return {"service_request_id": row.report_id if known else None, "token": token}


# --- one request as GeoReport v2 fields --------------------------------------------------

def status_of(r: Report) -> tuple[str, str]:
    """``(status, status_notes)``: open or closed, and why."""
    if r.review_status == ReviewStatus.REJECTED:
        return "closed", _("Not confirmed by the coordinator.")
    if r.review_status == ReviewStatus.DUPLICATE:
        return "closed", _("Duplicate of request %(id)s.") % {"id": r.duplicate_of_id}
    if r.place_id and r.place.status == PlaceStatus.RESOLVED:
        return "closed", _("The place is resolved.")
    if r.place_id and r.place.status == PlaceStatus.DORMANT:
        return "closed", _("The place is dormant: nothing has been reported there lately.")
    if r.review_status == ReviewStatus.NEW:
        return "open", _("Awaiting review by the coordinator.")
    return "open", _("Confirmed by the coordinator.")


def snapped(r: Report) -> tuple[float, float]:
    """``(lon, lat)`` of the centre of the report's H3 cell at :data:`SNAP_RESOLUTION`."""
    parent = h3.cell_to_parent(h3.int_to_str(r.h3_cell), SNAP_RESOLUTION)
    lat, lon = h3.cell_to_latlng(parent)
    return round(lon, 6), round(lat, 6)


def _hour(value: datetime | None) -> datetime | None:
    return value.replace(minute=0, second=0, microsecond=0) if value else None


def request_dict(r: Report, *, partner: bool) -> dict:
    tz = ZoneInfo(r.city.timezone)
    status, notes = status_of(r)
    updated = max(t for t in (r.reported_at, r.reviewed_at) if t is not None)
    requested = r.reported_at.astimezone(tz)
    updated = updated.astimezone(tz)
    if partner:
        lon, lat = round(r.lon, 6), round(r.lat, 6)
        address = r.place.name if r.place_id else (r.area.name if r.area_id else None)
        description = r.text or None
    else:
        lon, lat = snapped(r)
        requested, updated = _hour(requested), _hour(updated)
        address = r.area.name if r.area_id else None
        description = None
    return {
        "service_request_id": r.pk,
        "status": status,
        "status_notes": notes,
        "service_name": r.category.label,
        "service_code": r.category.slug,
        "description": description,
        "agency_responsible": r.city.name,
        "service_notice": None,
        "requested_datetime": requested,
        "updated_datetime": updated,
        "expected_datetime": None,
        "address": address,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }

"""Every write of reports: validation, scrubbing, one transaction, one audit entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.accounts.models import Organisation, OrganisationKind
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import NotVisible, PermissionDenied, ReportRejected
from drugscene.geo import h3grid
from drugscene.geo.shapes import valid_lon_lat
from drugscene.places.models import Place
from drugscene.privacy.scrub import scrub_text
from drugscene.reports.defaults import DEFAULT_CATEGORIES
from drugscene.reports.models import (
    Category,
    Channel,
    Report,
    ReviewStatus,
    Setting,
    Visibility,
)
from drugscene.reports.selectors import get_report

CLOCK_SKEW = timedelta(minutes=5)
MAX_TEXT = 4000
MAX_PERSONS = 500


@dataclass
class ReportInput:
    """What a partner or a citizen submits. Strings are slugs; ids refer to rows."""

    category: str
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    lon: float | None = None
    lat: float | None = None
    accuracy_m: int | None = None
    place_id: int | None = None
    persons: int = 0
    age_under_15: int = 0
    age_15_17: int = 0
    age_18_25: int = 0
    age_26_plus: int = 0
    gender_female: int = 0
    gender_male: int = 0
    gender_unknown: int = 0
    setting: str = Setting.UNKNOWN
    text: str = ""
    visibility: str = Visibility.PARTNERS
    restricted_to: list[int] = field(default_factory=list)
    external_id: str | None = None


AGE_FIELDS = ("age_under_15", "age_15_17", "age_18_25", "age_26_plus")
GENDER_FIELDS = ("gender_female", "gender_male", "gender_unknown")


def ensure_default_categories(city: City) -> None:
    """Create the default category tree for ``city`` where missing (idempotent)."""
    by_slug = {c.slug: c for c in Category.objects.filter(city=city)}
    for order, d in enumerate(DEFAULT_CATEGORIES):
        if d.slug in by_slug:
            continue
        by_slug[d.slug] = Category.objects.create(
            city=city, slug=d.slug, name=d.name, parent=by_slug.get(d.parent or ""),
            drug_related=d.drug_related, tip_allowed=d.tip_allowed, public=d.public, order=order,
        )


def _clean(city: City, data: ReportInput, *, tip: bool) -> dict:
    """Validate ``data`` against ``city``; collect every problem, then raise once."""
    errors: dict[str, list[str]] = {}

    def bad(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    now = timezone.now()
    cats = Category.objects.filter(city=city, slug=data.category, active=True)
    if tip:
        cats = cats.filter(tip_allowed=True)
    category = cats.first()
    if category is None:
        bad("category", _("Unknown category for this form: %(slug)s.") % {"slug": data.category})

    place = None
    if data.place_id is not None:
        place = Place.objects.filter(city=city, pk=data.place_id).first()
        if place is None:
            bad("place", _("Unknown place."))
    lon, lat = data.lon, data.lat
    if (lon is None) != (lat is None):
        bad("lon" if lon is None else "lat", _("Give both longitude and latitude."))
    elif lon is None and place is not None:
        lon, lat = place.lon, place.lat
    elif lon is None:
        bad("lon", _("A position is required: tap the map, use your position or pick a place."))
    if lon is not None and lat is not None:
        if not valid_lon_lat(lon, lat):
            bad("lon", _("Coordinates out of range: longitude −180..180, latitude −90..90."))
        elif not _inside_city(city, lon, lat):
            bad("lon", _("The position lies outside %(city)s.") % {"city": city.name})
    if data.accuracy_m is not None and not 0 <= data.accuracy_m <= 100_000:
        bad("accuracy_m", _("Accuracy must be between 0 and 100000 metres."))

    start = data.occurred_from or now
    if timezone.is_naive(start):
        bad("occurred_from", _("Give the time with a time zone offset (ISO 8601)."))
    elif start > now + CLOCK_SKEW:
        bad("occurred_from", _("The time lies in the future."))
    end = data.occurred_to
    if end is not None:
        if timezone.is_naive(end):
            bad("occurred_to", _("Give the time with a time zone offset (ISO 8601)."))
        elif end > now + CLOCK_SKEW:
            bad("occurred_to", _("The time lies in the future."))
        elif not timezone.is_naive(start) and end < start:
            bad("occurred_to", _("The end lies before the start."))

    counts = {}
    for name in ("persons", *AGE_FIELDS, *GENDER_FIELDS):
        value = getattr(data, name)
        if not isinstance(value, int) or not 0 <= value <= MAX_PERSONS:
            bad(name, _("Must be a whole number between 0 and %(max)s.") % {"max": MAX_PERSONS})
            value = 0
        counts[name] = value
    ages = sum(counts[f] for f in AGE_FIELDS)
    genders = sum(counts[f] for f in GENDER_FIELDS)
    persons = max(counts["persons"], ages, genders)
    if counts["persons"] and (ages > counts["persons"] or genders > counts["persons"]):
        bad("persons", _("Age or gender counts exceed the number of persons observed."))
    counts["persons"] = persons

    if data.setting not in Setting.values:
        bad("setting", _("Unknown value."))
    if len(data.text or "") > MAX_TEXT:
        bad("text", _("At most %(n)s characters.") % {"n": MAX_TEXT})
    if data.visibility not in Visibility.values:
        bad("visibility", _("Unknown value."))
    restricted: list[Organisation] = []
    if data.visibility == Visibility.RESTRICTED:
        restricted = list(Organisation.objects.filter(city=city, pk__in=data.restricted_to))
        if not data.restricted_to or len(restricted) != len(set(data.restricted_to)):
            bad("restricted_to", _("Name the organisations that may see this report."))

    if errors:
        first = next(iter(errors.values()))[0]
        raise ReportRejected(first, errors=errors)
    scrubbed = scrub_text((data.text or "").strip())
    return {
        "category": category,
        "place": place,
        "lon": float(lon),
        "lat": float(lat),
        "occurred_from": start,
        "occurred_to": end,
        "counts": counts,
        "text": scrubbed.text,
        "scrubbed": ",".join(scrubbed.kinds),
        "restricted": restricted,
    }


def _inside_city(city: City, lon: float, lat: float) -> bool:
    if not city.boundary:
        return True
    import shapely

    from drugscene.cities.selectors import city_shape

    return bool(shapely.contains_xy(city_shape(city), lon, lat))


def _area_for(city: City, lon: float, lat: float):
    from drugscene.cities.selectors import area_index

    return area_index(city.pk).lookup_one(lon, lat)


def _save(city: City, data: ReportInput, clean: dict, *, source: Organisation, reporter_id,
          channel: str) -> Report:
    report = Report(
        city=city,
        occurred_from=clean["occurred_from"],
        occurred_to=clean["occurred_to"],
        reported_at=timezone.now(),
        lon=clean["lon"],
        lat=clean["lat"],
        accuracy_m=data.accuracy_m,
        h3_cell=h3grid.cell_of(clean["lon"], clean["lat"]),
        area_id=_area_for(city, clean["lon"], clean["lat"]),
        place=clean["place"],
        category=clean["category"],
        source=source,
        reporter_id=reporter_id,
        channel=channel,
        setting=data.setting,
        text=clean["text"],
        scrubbed=clean["scrubbed"],
        visibility=data.visibility,
        external_id=data.external_id,
        **clean["counts"],
    )
    report.save()
    if clean["restricted"]:
        report.restricted_to.set(clean["restricted"])
    return report


def create_report(viewer: Viewer, city: City, data: ReportInput, *,
                  channel: str = Channel.PARTNER) -> Report:
    """A partner's report, made on behalf of the viewer's organisation in ``city``."""
    seat = viewer.seat_in(city.pk)
    if seat is None or not viewer.can(Perm.CREATE_REPORT, city.pk):
        raise PermissionDenied(_("Your role may not create reports in this city."))
    clean = _clean(city, data, tip=False)
    with transaction.atomic():
        source = Organisation.objects.get(pk=seat.organisation_id)
        report = _save(city, data, clean, source=source, reporter_id=viewer.user_id,
                       channel=channel)
        audit.record(action="create", obj=report, changes=audit.snapshot(report),
                     user_id=viewer.user_id, organisation_id=source.pk, channel=channel)
    return report


def tip_channel(city: City) -> Organisation:
    """The organisation that stands for anonymous citizens in ``city`` (made on demand)."""
    org = Organisation.objects.filter(city=city, kind=OrganisationKind.CITIZEN_CHANNEL).first()
    if org is None:
        org = Organisation.objects.create(
            city=city, slug="citizens", name="Citizens (anonymous tips)",
            kind=OrganisationKind.CITIZEN_CHANNEL,
        )
    return org


def submit_tip(city: City, data: ReportInput, *, channel: str = Channel.TIP) -> Report:
    """An anonymous citizen tip: no reporter, partners-only visibility, awaits review.

    ``channel`` names the door it came through (the tip form and API, or Open311)."""
    data.visibility = Visibility.PARTNERS
    data.restricted_to = []
    data.external_id = None
    clean = _clean(city, data, tip=True)
    with transaction.atomic():
        source = tip_channel(city)
        report = _save(city, data, clean, source=source, reporter_id=None, channel=channel)
        audit.record(action="create", obj=report, changes=audit.snapshot(report),
                     user_id=None, organisation_id=source.pk, channel=channel)
    return report


def review_report(viewer: Viewer, report_id: int, status: str, *,
                  duplicate_of: int | None = None) -> Report:
    """A coordinator confirms, rejects or marks a report as a duplicate of another."""
    report = get_report(viewer, report_id)
    if not viewer.can(Perm.REVIEW_REPORTS, report.city_id):
        raise PermissionDenied(_("Only coordinators review reports."))
    if status not in ReviewStatus.values:
        raise ReportRejected(_("Unknown review status."), field="status")
    original = None
    if status == ReviewStatus.DUPLICATE:
        if duplicate_of is None:
            raise ReportRejected(_("Name the report this one duplicates."), field="duplicate_of")
        try:
            original = get_report(viewer, duplicate_of)
        except NotVisible:
            raise ReportRejected(_("Unknown report."), field="duplicate_of") from None
        if original.pk == report.pk or original.city_id != report.city_id:
            raise ReportRejected(_("A report cannot duplicate itself."), field="duplicate_of")
    fields = ["review_status", "reviewed_by_id", "reviewed_at", "duplicate_of_id"]
    with transaction.atomic():
        before = audit.snapshot(report, fields)
        report.review_status = status
        report.reviewed_by_id = viewer.user_id
        report.reviewed_at = timezone.now()
        report.duplicate_of = original
        report.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "duplicate_of"])
        seat = viewer.seat_in(report.city_id)
        audit.record(action="review", obj=report,
                     changes=audit.diff(before, audit.snapshot(report, fields)),
                     user_id=viewer.user_id,
                     organisation_id=seat.organisation_id if seat else None)
    return report


def tip_city(slug: str | None) -> City:
    """The city a tip is for: the named one, or the only one on this server."""
    if slug:
        city = City.objects.filter(slug=slug).first()
        if city is None:
            raise ReportRejected(_("Unknown city."), field="city")
        return city
    cities = list(City.objects.order_by("pk")[:2])
    if len(cities) != 1:
        raise ReportRejected(_("Name the city (several are served here)."), field="city")
    return cities[0]


def throttle_tip(client: str) -> None:
    """Allow ``TIP_RATE_PER_HOUR`` tips per client and hour; the address is only hashed."""
    from django.conf import settings

    from drugscene.core import throttle
    from drugscene.core.errors import RateLimited

    key = throttle.client_key("tip", client)
    if not throttle.hit(key, limit=settings.TIP_RATE_PER_HOUR, window_seconds=3600):
        raise RateLimited(_("Too many tips from this connection. Please try again later."))

"""Parse the shared report filters from query parameters (API, pages and exports)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import Area, City
from drugscene.core.errors import ValidationFailed
from drugscene.reports.selectors import ReportFilter


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def parse_moment(value: str, city: City, field: str, *, end_of_day: bool = False) -> datetime:
    """ISO 8601 date or date-time; without an offset it is read in the city's time zone."""
    tz = ZoneInfo(city.timezone)
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValidationFailed(
                _("Not an ISO 8601 date or time: %(value)s") % {"value": value}, field=field
            )
        moment = datetime.combine(day, time.max if end_of_day else time.min)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    parts = _split(value)
    try:
        w, s, e, n = (float(p) for p in parts)
    except ValueError:
        raise ValidationFailed(
            _("bbox must be four numbers: west,south,east,north."), field="bbox"
        ) from None
    return w, s, e, n


def _unknown_message(field: str, values: str) -> str:
    if field == "source":
        return _("Unknown source organisation: %(values)s") % {"values": values}
    return _("Unknown district: %(values)s") % {"values": values}


def _slug_ids(model, city: City, slugs: tuple[str, ...], field: str) -> tuple[int, ...]:
    found = dict(model.objects.filter(city=city, slug__in=slugs).values_list("slug", "id"))
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise ValidationFailed(_unknown_message(field, ", ".join(unknown)), field=field)
    return tuple(found[s] for s in slugs)


def filter_from_params(city: City, params: Mapping[str, str]) -> ReportFilter:
    """Build a :class:`ReportFilter` from ``from``, ``to``, ``bbox``, ``category``, ``source``,
    ``district``, ``place`` and ``review`` (lists are comma separated)."""
    get = params.get
    start = parse_moment(get("from"), city, "from") if get("from") else None
    end = parse_moment(get("to"), city, "to", end_of_day=True) if get("to") else None
    places: tuple[int, ...] = ()
    if get("place"):
        try:
            places = tuple(int(p) for p in _split(get("place")))
        except ValueError:
            raise ValidationFailed(_("place must be numeric ids."), field="place") from None
    flt = ReportFilter(
        city_id=city.pk,
        start=start,
        end=end,
        bbox=parse_bbox(get("bbox")) if get("bbox") else None,
        categories=_split(get("category")),
        sources=_slug_ids(Organisation, city, _split(get("source")), "source"),
        areas=_slug_ids(Area, city, _split(get("district")), "district"),
        places=places,
        review=_split(get("review")),
    )
    flt.validate()
    return flt

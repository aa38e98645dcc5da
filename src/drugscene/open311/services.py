"""POST requests: an Open311 service request becomes a report through the same services
as the tip form (:func:`drugscene.reports.services.submit_tip`) or a partner's report
(:func:`drugscene.reports.services.create_report`): validation, scrubbing of the
description, rate limit for anonymous callers, one transaction with its audit entries.

Privacy by design: of the GeoReport v2 fields only ``service_code``, ``lat``, ``long``,
``description`` (scrubbed) and the attribute ``occurred_at`` are used. The personal fields
``email``, ``first_name``, ``last_name``, ``phone``, ``device_id`` and ``account_id`` are
dropped unread, and so are ``address_string``, ``address_id`` (no geocoding) and
``media_url`` (a photo may show persons). Nothing of them reaches the database or the
audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import ValidationFailed
from drugscene.open311.models import RequestToken
from drugscene.open311.selectors import OCCURRED_AT, get_service
from drugscene.reports import services as report_svc
from drugscene.reports.models import Channel, Report

#: the fields of a POST that are read; every other field is ignored
USED_FIELDS = ("service_code", "lat", "long", "description", f"attribute[{OCCURRED_AT}]")
#: personal fields of the specification that are never read or stored
DROPPED_FIELDS = ("email", "first_name", "last_name", "phone", "device_id", "account_id",
                  "address_string", "address_id", "media_url")
#: the report services name fields their way; errors use the Open311 names
FIELD_NAMES = {"category": "service_code", "lon": "long", "lat": "lat", "text": "description",
               "occurred_from": f"attribute[{OCCURRED_AT}]"}


@dataclass(frozen=True)
class Created:
    report: Report
    token: str
    by_partner: bool


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _number(errors: dict, name: str, raw: str | None) -> float | None:
    if raw is None or not raw.strip():
        errors.setdefault(name, []).append(_("Not provided."))
        return None
    try:
        return float(raw)
    except ValueError:
        errors.setdefault(name, []).append(_("Must be a decimal number."))
        return None


def _when(errors: dict, raw: str | None) -> datetime | None:
    if not raw or not raw.strip():
        return None
    name = f"attribute[{OCCURRED_AT}]"
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None:
        errors.setdefault(name, []).append(_("Must be an ISO 8601 date and time."))
    return value


def parse_post(city: City, params) -> report_svc.ReportInput:
    """Check the Open311 fields (all problems at once) and build the report input."""
    errors: dict[str, list[str]] = {}
    for name in USED_FIELDS:
        if "\x00" in (params.get(name) or ""):
            errors.setdefault(name, []).append(_("Contains a null character."))
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    code = (params.get("service_code") or "").strip()
    if not code:
        errors["service_code"] = [_("Not provided.")]
    lat = _number(errors, "lat", params.get("lat"))
    lon = _number(errors, "long", params.get("long"))
    when = _when(errors, params.get(f"attribute[{OCCURRED_AT}]"))
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    get_service(city, code)  # 404 for a code that is no service of this city
    return report_svc.ReportInput(category=code, lon=lon, lat=lat, occurred_from=when,
                                  text=params.get("description") or "")


def _renamed(exc: ValidationFailed) -> ValidationFailed:
    exc.errors = {FIELD_NAMES.get(k, k): v for k, v in exc.errors.items()}
    return exc


def submit_request(city: City, viewer: Viewer, params, *, client: str) -> Created:
    """An anonymous tip (no key; rate-limited per client) or a partner's report (key)."""
    by_partner = not viewer.is_anonymous
    if not by_partner:
        report_svc.throttle_tip(client)
    data = parse_post(city, params)
    token = secrets.token_urlsafe(18)
    try:
        with transaction.atomic():
            if by_partner:
                report = report_svc.create_report(viewer, city, data, channel=Channel.OPEN311)
            else:
                report = report_svc.submit_tip(city, data, channel=Channel.OPEN311)
            row = RequestToken.objects.create(digest=token_digest(token), report=report,
                                              by_partner=by_partner)
            audit.record(action="create", obj=row,
                         changes={"report": report.pk, "by_partner": by_partner},
                         user_id=viewer.user_id, organisation_id=report.source_id,
                         channel=Channel.OPEN311)
    except ValidationFailed as exc:
        raise _renamed(exc) from None
    return Created(report=report, token=token, by_partner=by_partner)

"""Small validation helpers the scene and action services share.

Services collect every problem by field name and raise one :class:`ValidationFailed`;
free text is scrubbed of identifiers before storage (places, not persons).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Viewer
from drugscene.accounts.models import Organisation, OrganisationKind
from drugscene.cities.models import City
from drugscene.core.validation import Problems  # noqa: F401  (re-exported)
from drugscene.privacy.scrub import scrub_text

MAX_TEXT = 4000
EARLIEST = date(2000, 1, 1)


def city_today(city: City) -> date:
    return timezone.now().astimezone(ZoneInfo(city.timezone)).date()


def check_date(problems: Problems, field: str, value: date | None, city: City, *,
               required: bool = True, future_ok: bool = False) -> None:
    if value is None:
        if required:
            problems.add(field, _("A date is required."))
        return
    if not isinstance(value, date):
        problems.add(field, _("Not a date."))
    elif value < EARLIEST:
        problems.add(field, _("The date lies too far back."))
    elif not future_ok and value > city_today(city):
        problems.add(field, _("The date lies in the future."))


def check_text(problems: Problems, field: str, value: str | None, *,
               limit: int = MAX_TEXT, required: bool = False) -> str:
    """The text stripped and scrubbed of identifiers (problems noted when too long)."""
    text = (value or "").strip()
    if required and not text:
        problems.add(field, _("This field is required."))
    if len(text) > limit:
        problems.add(field, _("At most %(n)s characters.") % {"n": limit})
        return ""
    return scrub_text(text).text if text else ""


def check_organisation(problems: Problems, field: str, organisation_id: int | None,
                       city: City) -> Organisation | None:
    """A partner organisation of ``city`` (the citizen channel cannot act or assess)."""
    if organisation_id is None:
        problems.add(field, _("Choose an organisation."))
        return None
    org = (Organisation.objects.filter(city=city, pk=organisation_id)
           .exclude(kind=OrganisationKind.CITIZEN_CHANNEL).first())
    if org is None:
        problems.add(field, _("Unknown organisation."))
    return org


def check_count(problems: Problems, field: str, value: int | None, *,
                maximum: int = 10_000) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        problems.add(field, _("Must be a whole number between 0 and %(max)s.")
                     % {"max": maximum})
        return None
    return value


def seat_organisation(viewer: Viewer, city_id: int) -> int | None:
    seat = viewer.seat_in(city_id)
    return seat.organisation_id if seat else None

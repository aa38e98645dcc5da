"""``drugscene situation``: the weekly situational picture as an HTML or PDF file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from drugscene.accounts.access import Seat, Viewer, viewer_for
from drugscene.accounts.tokens import find_user
from drugscene.cities.models import City
from drugscene.cities.selectors import areas_of
from drugscene.core.errors import DomainError
from drugscene.situation.render import document_html, document_pdf
from drugscene.situation.selectors import situational_picture
from drugscene.situation.weeks import parse_week


def partners_view(city: City) -> Viewer:
    """What every partner of the city may see: public and all-partner reports, nothing
    restricted (the default for a picture made outside a user's session)."""
    return Viewer(user_id=0, username="(partners)",
                  seats=(Seat(organisation_id=-1, organisation_kind="", city_id=city.pk,
                              role="viewer"),))


class Command(BaseCommand):
    help = ("Write the situational picture of a city (or district) for an ISO week as HTML "
            "or PDF. Without --as it shows what all partners may see (no restricted reports).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--city", required=True)
        parser.add_argument("--week", required=True, help="YYYY-Www, e.g. 2026-W47")
        parser.add_argument("--out", required=True, help="FILE.html or FILE.pdf")
        parser.add_argument("--district", help="district slug (default: the whole city)")
        parser.add_argument("--as", dest="as_user", help="use this user's visibility")
        parser.add_argument("--language", default=None, help="en, sv, nl or nb")

    def handle(self, *args, **o) -> None:
        city = City.objects.filter(slug=o["city"]).first()
        if city is None:
            raise CommandError(f"No city {o['city']!r}.")
        if o["as_user"]:
            user = find_user(o["as_user"])
            if user is None:
                raise CommandError(f"No user {o['as_user']!r}.")
            viewer = viewer_for(user)
        else:
            viewer = partners_view(city)
        out = Path(o["out"])
        if out.suffix.lower() not in (".html", ".pdf"):
            raise CommandError("--out must end in .html or .pdf.")
        area = None
        if o["district"]:
            area = areas_of(city.pk).filter(slug=o["district"]).first()
            if area is None:
                raise CommandError(f"No district {o['district']!r} in {city.slug}.")
        try:
            picture = situational_picture(viewer, city, parse_week(o["week"]), area)
        except DomainError as exc:
            raise CommandError(f"--{exc.field or 'week'}: {exc.message}") from exc
        language = o["language"] or city.default_language
        if out.suffix.lower() == ".pdf":
            out.write_bytes(document_pdf(picture, language=language))
        else:
            out.write_text(document_html(picture, language=language), encoding="utf-8")
        self.stderr.write(f"{out} written ({picture.total} reports in {picture.week.label}).")

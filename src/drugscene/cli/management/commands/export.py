"""``drugscene export reports``: the reports a user may see, as CSV or GeoJSON."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from drugscene.accounts.access import Perm, viewer_for
from drugscene.accounts.tokens import find_user
from drugscene.cities.models import City
from drugscene.core.errors import DomainError
from drugscene.reports.export import WRITERS
from drugscene.reports.params import filter_from_params
from drugscene.reports.selectors import filter_reports


class Command(BaseCommand):
    help = ("Export reports of a city as CSV or GeoJSON, with the visibility of --as USER. "
            "Filters: --from, --to, --bbox, --category, --source, --district, --review.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["reports"])
        parser.add_argument("--city", required=True, help="city slug")
        parser.add_argument("--format", choices=sorted(WRITERS), default="csv")
        parser.add_argument("--out", default="-", help="file (default stdout)")
        parser.add_argument("--as", dest="as_user", required=True,
                            help="export what this user may see")
        for name in ("from", "to", "bbox", "category", "source", "district", "review"):
            parser.add_argument(f"--{name}", dest=f"f_{name}")

    def handle(self, *args, **o) -> None:
        user = find_user(o["as_user"])
        if user is None:
            raise CommandError(f"No user {o['as_user']!r}.")
        viewer = viewer_for(user)
        city = City.objects.filter(slug=o["city"]).first()
        if city is None or (city.pk not in viewer.city_ids and not viewer.is_superuser):
            raise CommandError(f"No city {o['city']!r} for {user.username}.")
        if not viewer.can(Perm.EXPORT, city.pk):
            raise CommandError(f"{user.username}'s role may not export (analyst, coordinator "
                               "or admin may).")
        params = {k[2:]: v for k, v in o.items() if k.startswith("f_") and v}
        try:
            qs = filter_reports(viewer, filter_from_params(city, params))
        except DomainError as exc:
            raise CommandError(f"--{exc.field or 'filter'}: {exc.message}") from exc
        write = WRITERS[o["format"]]
        if o["out"] == "-":
            n = write(qs, sys.stdout)
        else:
            with open(o["out"], "w", encoding="utf-8", newline="") as fh:
                n = write(qs, fh)
        self.stderr.write(f"{n} reports written")

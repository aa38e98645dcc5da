"""``drugscene export reports|places|actions|hotspots``: what a user may see, as CSV,
GeoJSON or GeoPackage. Without ``--as`` the export holds what a caller without a key
may see (public reports in public categories, generalised, and their hot spots)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from drugscene.accounts.access import ANONYMOUS, Perm, viewer_for
from drugscene.accounts.tokens import find_user
from drugscene.cities.models import City
from drugscene.core.errors import DomainError
from drugscene.ogc.export import FORMATS, KINDS, export


class Command(BaseCommand):
    help = ("Export reports, places, actions or the latest hot spots of a city as CSV, "
            "GeoJSON or GeoPackage, with the visibility of --as USER (without --as: what "
            "the public may see). Report filters: --from, --to, --bbox, --category, "
            "--source, --district, --review.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=list(KINDS))
        parser.add_argument("--city", required=True, help="city slug")
        parser.add_argument("--format", choices=list(FORMATS), default="csv",
                            help="csv (default), geojson or gpkg (GeoPackage: needs --out)")
        parser.add_argument("--out", default="-", help="file (default stdout)")
        parser.add_argument("--as", dest="as_user",
                            help="export what this user may see (analyst, coordinator or "
                                 "admin); without it: what the public may see")
        for name in ("from", "to", "bbox", "category", "source", "district", "review"):
            parser.add_argument(f"--{name}", dest=f"f_{name}")

    def handle(self, *args, **o) -> None:
        city = City.objects.filter(slug=o["city"]).first()
        if o["as_user"]:
            user = find_user(o["as_user"])
            if user is None:
                raise CommandError(f"No user {o['as_user']!r}.")
            viewer = viewer_for(user)
            if city is None or (city.pk not in viewer.city_ids and not viewer.is_superuser):
                raise CommandError(f"No city {o['city']!r} for {user.username}.")
            if not viewer.can(Perm.EXPORT, city.pk):
                raise CommandError(f"{user.username}'s role may not export (analyst, "
                                   "coordinator or admin may).")
        else:
            viewer = ANONYMOUS
            if city is None:
                raise CommandError(f"No city {o['city']!r}.")
        params = {k[2:]: v for k, v in o.items() if k.startswith("f_") and v}
        if params and o["what"] != "reports":
            raise CommandError(f"--{sorted(params)[0]}: filters apply to reports only.")
        if params and viewer.is_anonymous:
            raise CommandError(f"--{sorted(params)[0]}: filters need --as USER.")
        fmt = o["format"]
        if fmt == "gpkg" and o["out"] == "-":
            raise CommandError("--format gpkg needs --out FILE (a GeoPackage is a database "
                               "file, not a stream).")
        try:
            if fmt == "gpkg":
                n = self._gpkg(o, viewer, city, params)
            elif o["out"] == "-":
                n = export(o["what"], viewer, city, fmt, sys.stdout, params)
            else:
                with open(o["out"], "w", encoding="utf-8", newline="") as fh:
                    n = export(o["what"], viewer, city, fmt, fh, params)
        except DomainError as exc:
            raise CommandError(f"--{exc.field or 'filter'}: {exc.message}") from exc
        self.stderr.write(f"{n} {o['what']} written")

    @staticmethod
    def _gpkg(o: dict, viewer, city, params: dict) -> int:
        """Write to a temporary file beside the target and move it in place at the end, so
        a failed export never leaves half a GeoPackage (or an old one with a new layer)."""
        import os
        import tempfile

        target = os.path.abspath(o["out"])
        fd, tmp = tempfile.mkstemp(suffix=".gpkg", dir=os.path.dirname(target))
        os.close(fd)
        os.unlink(tmp)  # GDAL creates the file itself
        try:
            n = export(o["what"], viewer, city, "gpkg", tmp, params)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return n

"""``drugscene indicators``: import measurements from CSV, convert the EUDA wastewater data,
list a city's indicators.

    drugscene indicators import FILE --city SLUG [--as USER]
    drugscene indicators import-euda FILE --city SLUG --site "Stockholm (2)" [--out FILE.csv]
    drugscene indicators list --city SLUG

A bad file exits with status 1 and prints every problem as ``line N: column: reason``;
nothing is imported. Without ``--as`` the import is recorded in the audit trail as made from
the command line (no user).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from drugscene.accounts.access import Viewer, viewer_for
from drugscene.accounts.tokens import find_user
from drugscene.cities.models import City
from drugscene.core.errors import DomainError
from drugscene.indicators import euda, selectors, services

#: the command line acts for the server's operator (who can run any command anyway)
OPERATOR = Viewer(user_id=None, username="(command line)", is_superuser=True)


class Command(BaseCommand):
    help = ("Indicators: 'import FILE --city SLUG' imports measurements from CSV "
            "(indicator,area,period,value,unit,source); 'import-euda FILE --city SLUG "
            "--site NAME' imports one site of the EUDA wastewater data; 'list --city SLUG'.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import measurements from a CSV file")
        imp.add_argument("file")
        imp.add_argument("--city", required=True, help="city slug")
        imp.add_argument("--as", dest="as_user", help="record the import as this user")
        ww = sub.add_parser("import-euda", help="import one site of wastewater-euda.csv")
        ww.add_argument("file")
        ww.add_argument("--city", required=True, help="city slug")
        ww.add_argument("--site", required=True,
                        help='the EUDA city label, e.g. "Stockholm (2)"')
        ww.add_argument("--out", help="only write the converted CSV to this file")
        ww.add_argument("--as", dest="as_user", help="record the import as this user")
        ls = sub.add_parser("list", help="the city's indicators with their latest value")
        ls.add_argument("--city", required=True, help="city slug")

    def _city(self, slug: str) -> City:
        city = City.objects.filter(slug=slug).first()
        if city is None:
            raise CommandError(f"No city {slug!r}.")
        return city

    def _viewer(self, as_user: str | None) -> Viewer:
        if not as_user:
            return OPERATOR
        user = find_user(as_user)
        if user is None:
            raise CommandError(f"No user {as_user!r}.")
        return viewer_for(user)

    def _import(self, o: dict, data: bytes | str) -> None:
        city = self._city(o["city"])
        viewer = self._viewer(o.get("as_user"))
        services.ensure_default_indicators(city)
        try:
            result = services.import_csv(viewer, city, data, channel="cli")
        except services.ImportFailed as exc:
            for line in exc.lines:
                self.stderr.write(line)
            raise CommandError(f"{len(exc.lines)} problem(s); nothing was imported.") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{result.rows} rows: {result.created} new, {result.updated} "
                          f"updated, {result.unchanged} unchanged")

    def handle(self, *args, **o) -> None:
        action = o["action"]
        if action == "import":
            path = Path(o["file"])
            if not path.is_file():
                raise CommandError(f"No file {path}.")
            self._import(o, path.read_bytes())
        elif action == "import-euda":
            try:
                conversion = euda.convert(euda.read(o["file"]), o["site"])
            except (OSError, euda.EudaError) as exc:
                raise CommandError(str(exc)) from exc
            for reason, n in sorted(conversion.skipped.items()):
                self.stderr.write(f"skipped {n} row(s): {reason}")
            if not conversion.rows:
                raise CommandError(f"No weekly-mean value of a catalogue substance for "
                                   f"{o['site']!r}.")
            if o.get("out"):
                Path(o["out"]).write_text(conversion.csv_text(), encoding="utf-8")
                self.stdout.write(f"{len(conversion.rows)} rows written to {o['out']}")
                return
            self._import(o, conversion.csv_text())
            self.stdout.write(f"Data: {euda.ATTRIBUTION}")
        else:
            city = self._city(o["city"])
            services.ensure_default_indicators(city)
            for ind in city.indicators.filter(active=True):
                last = selectors.latest(ind)
                shown = ("-" if last is None else
                         f"{last.label} " + ("<LOD" if last.below_lod else f"{last.value:g}"))
                self.stdout.write(f"{ind.slug:32} {ind.unit:26} {shown}")

"""``drugscene profile``: export a city's profile (aggregates only) to a JSON file, import
another installation's profile so that ``drugscene compare`` and /compare/ can use it."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from drugscene.core.errors import DomainError


class Command(BaseCommand):
    help = ("City profiles for comparing cities across installations: 'export' writes a "
            "city's figures (aggregates only, no reports, no names), 'import' stores such a "
            "file as an external profile, 'list' and 'remove' manage them.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write a city's profile as JSON")
        export.add_argument("--city", required=True)
        export.add_argument("--out", required=True, help="FILE.json ('-' for stdout)")
        imp = sub.add_parser("import", help="store a profile file as an external profile")
        imp.add_argument("file")
        imp.add_argument("--slug", help="store under this slug (default: the file's)")
        sub.add_parser("list", help="list the imported profiles")
        rm = sub.add_parser("remove", help="remove an imported profile")
        rm.add_argument("slug")

    def handle(self, *args, **o) -> None:
        getattr(self, "_" + o["action"])(o)

    def _export(self, o) -> None:
        from drugscene.cities.models import City
        from drugscene.public.compare import city_figures

        city = City.objects.filter(slug=o["city"]).first()
        if city is None:
            raise CommandError(f"No city {o['city']!r}.")
        text = json.dumps(city_figures(city), ensure_ascii=False, indent=2, sort_keys=True)
        if o["out"] == "-":
            self.stdout.write(text)
            return
        Path(o["out"]).write_text(text + "\n", encoding="utf-8")
        self.stderr.write(f"{o['out']} written (profile of {city.name}).")

    def _import(self, o) -> None:
        from drugscene.public.services import import_profile

        path = Path(o["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file.") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not a JSON file ({exc}).") from None
        try:
            profile = import_profile(data, slug=o["slug"], source=path.name)
        except DomainError as exc:
            lines = [f"{path}: the profile was not imported:"]
            for field, messages in exc.errors.items() or {"file": [exc.message]}.items():
                lines += [f"  {field}: {m}" for m in messages]
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(f"{profile.slug}\n")
        self.stderr.write(f"Imported the profile of {profile.name} as {profile.slug!r}.")

    def _list(self, o) -> None:
        from drugscene.public.models import CityProfile

        for p in CityProfile.objects.order_by("slug"):
            self.stdout.write(f"{p.slug}\t{p.name}\t{p.data.get('generated_on', '')}\n")

    def _remove(self, o) -> None:
        from drugscene.public.services import remove_profile

        if not remove_profile(o["slug"]):
            raise CommandError(f"No imported profile {o['slug']!r}.")
        self.stderr.write(f"Removed the profile {o['slug']!r}.")

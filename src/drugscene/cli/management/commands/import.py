"""``drugscene import reports FILE --city SLUG --source ORG``: bulk import of reports.

See docs/guides/import.md. Exit status 1 when the file has invalid rows (each printed as
``line N: column: reason``) and nothing was imported; 2 for a file or mapping that cannot be
used at all.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn


class Command(BaseCommand):
    requires_system_checks: list = []  # the URL checks import every page (seconds)

    help = ("Import reports from a CSV (plain or .gz), GeoJSON or GeoPackage file into a city, "
            "on behalf of a source organisation. Without --mapping the CSV needs the columns "
            "id,lon,lat,time,category[,text]. Re-running the same file adds nothing; an "
            "interrupted import is finished by running the same command again.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["reports"])
        parser.add_argument("file")
        parser.add_argument("--city", required=True, help="city slug")
        parser.add_argument("--source", required=True,
                            help="the organisation the reports come from (name or slug)")
        parser.add_argument("--mapping", help="column mapping file (TOML)")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="import the valid rows; write the others to a rejects file")
        parser.add_argument("--rejects", help="where --skip-invalid writes the rejected rows "
                            "(default: FILE.rejects.csv next to the input)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and count what would be imported; write "
                                 "nothing")
        parser.add_argument("--as", dest="as_user", help="user recorded as the importer")
        parser.add_argument("--max-errors", type=int, default=1000,
                            help="print at most this many row errors (0: all)")

    def handle(self, *args, **o) -> None:
        from drugscene.cities.models import City
        from drugscene.imports.mapping import MappingError, default_mapping, load_mapping
        from drugscene.imports.readers import ReadError
        from drugscene.imports.services import UnknownSource, find_source, import_reports
        from drugscene.imports.validate import FileProblem

        console = Console(stderr=True)
        city = City.objects.filter(slug=o["city"]).first()
        if city is None:
            raise CommandError(f"No city {o['city']!r} (create one with 'drugscene city "
                               "create').", returncode=2)
        try:
            source = find_source(city, o["source"])
            mapping = load_mapping(o["mapping"]) if o["mapping"] else default_mapping()
        except (UnknownSource, MappingError) as exc:
            raise CommandError(str(exc), returncode=2) from None
        user = None
        if o["as_user"]:
            from drugscene.accounts.tokens import find_user

            user = find_user(o["as_user"])
            if user is None:
                raise CommandError(f"No user {o['as_user']!r}.", returncode=2)

        columns = (TextColumn("{task.description:<10}"), BarColumn(),
                   TextColumn("{task.completed:,}/{task.total:,}"), TimeRemainingColumn())
        t0 = time.perf_counter()
        with Progress(*columns, console=console, transient=False) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            try:
                out = import_reports(o["file"], city, source, mapping, user=user,
                                     skip_invalid=o["skip_invalid"], dry_run=o["dry_run"],
                                     rejects=o["rejects"], progress=progress)
            except (ReadError, FileProblem) as exc:
                raise CommandError(str(exc), returncode=2) from None
        seconds = time.perf_counter() - t0
        checked = out.checked
        unit = checked.unit
        if checked.rejected and (not o["skip_invalid"] or o["dry_run"]):
            limit = o["max_errors"] or None
            shown = 0
            for r in checked.rejected:
                for line in r.lines(unit):
                    if limit is not None and shown >= limit:
                        break
                    self.stderr.write(line)
                    shown += 1
            total = sum(len(r.problems) for r in checked.rejected)
            if shown < total:
                self.stderr.write(f"... and {total - shown} more problems (--max-errors 0 "
                                 "shows all)")
            if not o["skip_invalid"]:
                raise CommandError(
                    f"{len(checked.rejected):,} of {checked.rows_in_file:,} rows are invalid; "
                    "nothing was imported. Fix the file, or use --skip-invalid to import the "
                    "valid rows and write the others to a rejects file.")
        rows = checked.rows_in_file
        filtered = (f", {checked.rows_filtered:,} left out by the mapping's filter"
                    if checked.rows_filtered else "")
        if o["dry_run"]:
            self.stdout.write(
                f"Dry run: {rows:,} rows{filtered}, {len(checked.rejected):,} invalid, "
                f"{out.present:,} already present, {out.to_import:,} would be imported.")
            return
        rate = out.imported / seconds if seconds > 0 else 0.0
        self.stdout.write(
            f"Imported {out.imported:,} reports into {city.slug} from {source.name} "
            f"({rows:,} rows{filtered}, {len(checked.rejected):,} invalid, "
            f"{out.present:,} already present) in {seconds:.1f} s ({rate:,.0f} rows/s). "
            f"Import run #{out.run.pk}.")
        if out.seconds:
            self.stdout.write("Seconds: " + ", ".join(f"{k} {v:.1f}"
                                                      for k, v in out.seconds.items()))
        if out.rejects_path:
            self.stdout.write(f"Rejected rows with reasons: {out.rejects_path}")
        if mapping.attribution:
            self.stdout.write(f"Attribution: {mapping.attribution}")

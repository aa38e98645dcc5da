"""``drugscene analyse SUBCOMMAND ...``: the analysis layer from the command line."""

from __future__ import annotations

import importlib
import sys

from django.core.management.base import BaseCommand, CommandError

from drugscene.analysis.errors import AnalysisError
from drugscene.cli.analyse import SUBCOMMANDS
from drugscene.cli.analyse.common import add_source_arguments, load_source


def _requested(argv: list[str]) -> str | None:
    """The subcommand named on the command line (``drugscene analyse NAME ...``), if any."""
    if "analyse" in argv[1:3]:
        rest = argv[argv.index("analyse") + 1:]
        if rest and rest[0] in SUBCOMMANDS:
            return rest[0]
    return None


def _module(name: str):
    return importlib.import_module(f"drugscene.cli.analyse.{name}")


class Command(BaseCommand):
    # the system checks import every URL and view (matplotlib, scipy ...): a second of
    # start-up that an analysis of a file does not need
    requires_system_checks: list[str] = []
    help = ("Analyse event points from a file (CSV/GeoJSON) or a city's reports: "
            + ", ".join(SUBCOMMANDS) + ".")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        wanted = _requested(sys.argv)
        for name in SUBCOMMANDS:
            if wanted and name != wanted:
                # only the requested subcommand is imported: the others pull in scipy
                # and matplotlib, which costs a second on every run
                sub.add_parser(name)
                continue
            mod = _module(name)
            p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
            add_source_arguments(p)
            mod.add_arguments(p)

    def handle(self, *args, subcommand: str, **options) -> None:
        try:
            source = load_source(options)
            _module(subcommand).run(options, source, self.stdout)
        except AnalysisError as exc:
            raise CommandError(str(exc)) from exc

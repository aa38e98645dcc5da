"""``drugscene analyse SUBCOMMAND ...``: the analysis layer from the command line."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandError

from drugscene.analysis.errors import AnalysisError
from drugscene.cli.analyse import SUBCOMMANDS
from drugscene.cli.analyse.common import add_source_arguments, load_source


def _module(name: str):
    return importlib.import_module(f"drugscene.cli.analyse.{name}")


class Command(BaseCommand):
    help = ("Analyse event points from a file (CSV/GeoJSON) or a city's reports: "
            + ", ".join(SUBCOMMANDS) + ".")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name in SUBCOMMANDS:
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

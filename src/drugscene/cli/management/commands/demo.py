"""``drugscene demo``: build the fictional demo city and (unless --no-serve) serve it.

``--slug`` builds a further demo city next to Ljusfjärda (slug ``demo``), e.g.
``drugscene demo --slug gryningsvik --seed 7 --no-serve``: another name, population and
police classification, its own users (``gryningsvik-coordinator`` ...), so that cities can
be compared. Rebuilding one demo city leaves the others as they are.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table


class Command(BaseCommand):
    help = (
        "Generate the demo city (slug 'demo', or another with --slug) with two years of "
        "synthetic reports and a hidden ground truth, replacing an earlier demo city of "
        "that slug only; then serve it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--slug", default="demo",
                            help="slug of the demo city (default demo = Ljusfjärda; any "
                                 "other builds a further city, Gryningsvik by default)")
        parser.add_argument("--name", default=None, help="name of a further demo city")
        parser.add_argument("--seed", type=int, default=20261124)
        parser.add_argument("--reports", type=int, default=50_000)
        parser.add_argument("--start", type=date.fromisoformat, default=None,
                            help="first day (default: two years before today)")
        parser.add_argument("--days", type=int, default=730)
        parser.add_argument("--truth", default=None,
                            help="ground-truth JSON path (default var/demo-ground-truth.json)")
        parser.add_argument("--no-serve", action="store_true")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **o) -> None:
        from drugscene.demo import loader, model
        from drugscene.public.services import configure_city

        if o["reports"] < 100:
            raise CommandError("--reports must be at least 100.")
        slug = o["slug"]
        if slug != "demo" and o["seed"] == 20261124:
            o["seed"] = 20261124 + sum(slug.encode("utf-8"))  # its own default seed
        console = Console(stderr=True)
        call_command("migrate", interactive=False, verbosity=0)
        start = o["start"] or (date.today() - timedelta(days=o["days"]))
        t0 = time.perf_counter()
        with console.status(f"Generating {o['reports']:,} reports (seed {o['seed']})…"):
            try:
                demo = model.generate(seed=o["seed"], n_reports=o["reports"],
                                      start=start.isoformat(), days=o["days"], slug=slug,
                                      name=o["name"])
            except ValueError as exc:
                raise CommandError(f"--slug: {exc}") from exc
        t1 = time.perf_counter()
        default_truth = ("demo-ground-truth.json" if slug == "demo"
                         else f"demo-{slug}-ground-truth.json")
        truth = o["truth"] or str(settings.VAR_DIR / default_truth)
        columns = (TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.completed:,}/{task.total:,}"), TimeRemainingColumn())
        with Progress(*columns, console=console) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)

            city = loader.load(demo, progress)
        configure_city(city, public_enabled=True, **model.statistics_of(slug))
        # written after loading: the demo's plan adds the gaps it planted (plan_gaps)
        model.write_ground_truth(demo, truth)
        t2 = time.perf_counter()
        console.print(
            f"[green]Demo city {city.name}[/] ({city.slug}): {len(demo.districts)} districts, "
            f"{len(demo.places)} places, {o['reports']:,} reports "
            f"(generated in {t1 - t0:.1f} s, loaded in {t2 - t1:.1f} s). "
            f"Ground truth: {truth}. Public page: /public/{city.slug}/"
        )
        table = Table(title="Demo logins (password for all: "
                      f"{loader.DEMO_PASSWORD})")
        for col in ("username", "role", "organisation"):
            table.add_column(col)
        orgs = {o.kind: o.name for o in demo.organisations}
        for username, (kind, role) in loader.DEMO_USERS.items():
            table.add_row(model.demo_username(slug, username), str(role), orgs.get(kind, kind))
        Console().print(table)
        if not o["no_serve"]:
            call_command("serve", host=o["host"], port=o["port"])

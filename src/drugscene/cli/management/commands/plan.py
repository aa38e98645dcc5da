"""``drugscene plan import FILE --city SLUG [--title T]`` and
``drugscene plan export PLAN_ID --out FILE.csv|FILE.xlsx``: a drug-policy plan's actions
through a CSV or XLSX file (columns in docs/guides/drug-policy-plan.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

#: the command line acts as the installation's operator (audited without a user)
OPERATOR_NAME = "cli"


class Command(BaseCommand):
    help = ("Import a drug-policy plan from a CSV or XLSX file of its actions (prints the new "
            "plan's id), or export a plan's actions. See docs/guides/drug-policy-plan.md.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a plan from a CSV or XLSX file")
        imp.add_argument("file")
        imp.add_argument("--city", required=True, help="city slug")
        imp.add_argument("--title", default="", help="the plan's title (default: file name)")
        exp = sub.add_parser("export", help="export a plan's actions")
        exp.add_argument("plan_id", type=int)
        exp.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")

    def handle(self, *args, **o) -> None:
        from drugscene.accounts.access import Viewer

        operator = Viewer(user_id=None, username=OPERATOR_NAME, is_superuser=True)
        if o["action"] == "import":
            self._import(operator, o)
        else:
            self._export(operator, o)

    def _import(self, operator, o: dict) -> None:
        from drugscene.cities.models import City
        from drugscene.plans.transfer import ImportFailed, import_plan

        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError(f"{path}: give a .csv or .xlsx file")
        city = City.objects.filter(slug=o["city"]).first()
        if city is None:
            raise CommandError(f"unknown city: {o['city']}")
        try:
            plan = import_plan(operator, city, path.read_bytes(), path.name, o["title"])
        except ImportFailed as exc:
            for line in exc.lines:
                self.stderr.write(f"{path.name}: {line}")
            raise CommandError(f"{path.name}: {len(exc.lines)} problem(s); nothing was "
                               "imported.") from None
        self.stdout.write(str(plan.pk))

    def _export(self, operator, o: dict) -> None:
        from drugscene.core.errors import NotVisible
        from drugscene.plans.selectors import get_plan
        from drugscene.plans.transfer import export_csv, export_xlsx

        out = Path(o["out"])
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CommandError(f"{out}: give a .csv or .xlsx file name")
        try:
            plan = get_plan(operator, o["plan_id"])
        except NotVisible:
            raise CommandError(f"unknown plan: {o['plan_id']}") from None
        data = export_csv(plan) if suffix == ".csv" else export_xlsx(plan)
        out.write_bytes(data)
        self.stderr.write(f"Wrote {plan.actions.count()} actions of “{plan.title}” to {out}.")

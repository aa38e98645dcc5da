"""``drugscene compare``: cities side by side (local cities and imported profiles) as an
HTML or PDF file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from drugscene.accounts.access import Viewer
from drugscene.core.errors import DomainError


class Command(BaseCommand):
    help = ("Put two to six cities side by side (population, unemployment, ill-health, "
            "places by status, methods in use, goals broken down, indicators per 100,000 "
            "inhabitants, plan progress) and write FILE.html or FILE.pdf. A name is a local "
            "city's slug or an imported profile's (drugscene profile import).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cities", required=True, help="A,B[,C...]: slugs")
        parser.add_argument("--out", required=True, help="FILE.html or FILE.pdf")
        parser.add_argument("--language", default=None, help="en, sv, nl or nb")

    def handle(self, *args, **o) -> None:
        from drugscene.public.compare import resolve
        from drugscene.public.render import document_html, document_pdf

        out = Path(o["out"])
        if out.suffix.lower() not in (".html", ".pdf"):
            raise CommandError("--out must end in .html or .pdf.")
        operator = Viewer(user_id=None, username="(operator)", is_superuser=True)
        try:
            entries = resolve(operator, o["cities"].split(","))
        except DomainError as exc:
            raise CommandError(f"--{exc.field or 'cities'}: {exc.message}") from exc
        language = o["language"] or "en"
        if out.suffix.lower() == ".pdf":
            out.write_bytes(document_pdf(entries, language=language))
        else:
            out.write_text(document_html(entries, language=language), encoding="utf-8")
        self.stderr.write(f"{out} written ({', '.join(e.name for e in entries)}).")

"""``drugscene serve``: run the app under gunicorn (static files through WhiteNoise)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve drugscene with gunicorn on HOST:PORT (default 127.0.0.1:8000)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=min(4, (os.cpu_count() or 1) + 1))

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.wsgiapp import WSGIApplication

        self.stdout.write(f"drugscene serving on http://{host}:{port}/ (Ctrl+C stops)")
        argv = ["gunicorn", "drugscene.wsgi:application", "--bind", f"{host}:{port}",
                "--workers", str(workers), "--access-logfile", "-", "--timeout", "120"]
        import sys

        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()

"""``drugscene worker``: background work — today, the follow-ups of actions that fall due."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from drugscene.evaluation.services import compute_due


class Command(BaseCommand):
    help = ("Compute due follow-ups of actions (end, +3, +6, +12 months). Runs until stopped, "
            "every --interval seconds; --once for cron or a systemd timer.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=int, default=3600)

    def handle(self, *args, once: bool, interval: int, **options) -> None:
        while True:
            done, failed = compute_due()
            self.stdout.write(f"follow-ups computed: {done}, not computable: {failed}")
            if once:
                return
            time.sleep(max(60, interval))

"""``drugscene worker``: background work in one loop (decisions 0007 and 0009) — the
follow-ups of actions that fall due, then notifications: scanning for events, the weekly
digest, e-mails and signed webhooks."""

from __future__ import annotations

import time
import traceback

from django.core.management.base import BaseCommand, CommandError

from drugscene.evaluation.services import compute_due
from drugscene.notifications.jobs import run_pass


class Command(BaseCommand):
    help = ("Compute due follow-ups of actions (end, +3, +6, +12 months), then send "
            "notifications (in-app, e-mail, webhooks, the weekly digest). Runs until "
            "stopped, every --interval seconds; --once for cron or a systemd timer.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true",
                            help="Run one pass and exit (non-zero if a job failed).")
        parser.add_argument("--interval", type=int, default=300,
                            help="Seconds between passes (at least 60; default 300).")

    def _follow_ups(self) -> None:
        done, failed = compute_due()
        self.stdout.write(f"follow-ups computed: {done}, not computable: {failed}")

    def _notifications(self) -> None:
        self.stdout.write(run_pass().summary())

    def one_pass(self) -> list[str]:
        """Run every job; one job's failure does not stop the others."""
        failed = []
        for name, job in (("follow-ups", self._follow_ups),
                          ("notifications", self._notifications)):
            try:
                job()
            except Exception:  # noqa: BLE001  reported, and the loop goes on
                failed.append(name)
                self.stderr.write(f"{name} failed:\n{traceback.format_exc()}")
        return failed

    def handle(self, *args, once: bool, interval: int, **options) -> None:
        while True:
            failed = self.one_pass()
            if once:
                if failed:
                    raise CommandError(f"failed: {', '.join(failed)}")
                return
            time.sleep(max(60, interval))

"""Cross-cutting tables: fixed-window counters for throttling (login, anonymous tips)."""

from __future__ import annotations

from django.db import models


class Throttle(models.Model):
    """Hits of one key (a hashed client or account) in one time window.

    Keys are salted hashes, never raw IP addresses: the tip form must not become a
    register of who tipped.
    """

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="throttle_key_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%Y-%m-%d %H:%M} {self.hits}"

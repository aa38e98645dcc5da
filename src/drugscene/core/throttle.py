"""Fixed-window rate limiting kept in the database (works across worker processes)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from drugscene.core.models import Throttle


def client_key(scope: str, raw: str) -> str:
    """A salted hash of ``raw`` (an address or a user name): the raw value is never stored."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{scope}|{raw}".encode()).hexdigest()
    return f"{scope}:{digest[:40]}"


def _window(seconds: int):
    now = timezone.now()
    epoch = int(now.timestamp())
    return now - timedelta(seconds=epoch % seconds, microseconds=now.microsecond)


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; return ``True`` while the key is within ``limit`` for this window."""
    start = _window(window_seconds)
    with transaction.atomic():
        row, _ = Throttle.objects.get_or_create(key=key, window_start=start)
        Throttle.objects.filter(pk=row.pk).update(hits=F("hits") + 1)
        row.refresh_from_db(fields=["hits"])
    return row.hits <= limit


def count(key: str, *, window_seconds: int) -> int:
    row = Throttle.objects.filter(key=key, window_start=_window(window_seconds)).first()
    return row.hits if row else 0


def reset(key: str, *, window_seconds: int) -> None:
    Throttle.objects.filter(key=key, window_start=_window(window_seconds)).delete()


def purge_older_than(days: int = 2) -> int:
    deleted, _ = Throttle.objects.filter(
        window_start__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted

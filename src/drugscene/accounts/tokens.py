"""API tokens: random, shown once, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from drugscene.accounts.models import ApiToken
from drugscene.audit import services as audit

PREFIX = "ds_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the row and the raw token (never stored)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], digest=_digest(raw))
        audit.record(action="token_create", obj=token, changes={"name": name, "prefix": raw[:10]},
                     user_id=user.pk, organisation_id=None, channel="cli")
    return token, raw


def revoke_token(token: ApiToken) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(action="token_revoke", obj=token, changes={"prefix": token.prefix},
                     user_id=token.user_id, organisation_id=None, channel="cli")


def user_for_token(raw: str):
    """The active user of a valid, unrevoked token, else ``None``."""
    if not raw or not raw.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def find_user(username: str):
    return get_user_model().objects.filter(username=username).first()

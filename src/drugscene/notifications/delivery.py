"""Sending what the scans stored: e-mails (after the notifications are committed) and
webhook posts, each marked when done and retried with exponential backoff when not.

E-mail is *at least once*: a crash after the mail server accepted a message and before it
is marked sent sends it again on the next pass. The notification itself is never created
twice (its unique key).
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from drugscene.audit import services as audit
from drugscene.notifications.events import absolute
from drugscene.notifications.models import (
    DeliveryStatus,
    EmailStatus,
    EventKind,
    Notification,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
)
from drugscene.notifications.texts import describe


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most 6 hours."""
    base = _setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), 6 * 3600))


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 8)


def disable_after() -> int:
    return _setting("NOTIFICATIONS_WEBHOOK_DISABLE_AFTER", 20)


# --- e-mail --------------------------------------------------------------------------------

def language_of(n: Notification) -> str:
    pref = NotificationPreference.objects.filter(user_id=n.user_id, city_id=n.city_id).first()
    lang = (pref.language if pref else "") or n.city.default_language or settings.LANGUAGE_CODE
    return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_email(n: Notification) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a notification's e-mail, in the user's language."""
    with translation.override(language_of(n)), timezone.override(ZoneInfo(n.city.timezone)):
        text = describe(n.kind, n.params)
        ctx = {"n": n, "text": text, "p": n.params, "city": n.city,
               "link": absolute(n.link), "is_digest": n.kind == EventKind.DIGEST,
               "settings_link": absolute(f"/notifications/settings/?city={n.city.slug}"),
               "inbox_link": absolute(f"/notifications/?city={n.city.slug}")}
        subject = _("[Drug scenes] %(text)s") % {"text": text}
        plain = render_to_string("notifications/email/notification.txt", ctx)
        html = render_to_string("notifications/email/notification.html", ctx)
    return subject[:200], plain, html


@dataclass
class MailResult:
    sent: int = 0
    failed: int = 0
    no_address: int = 0


def send_pending_emails(now: datetime | None = None) -> MailResult:
    """Send every e-mail that waits and whose next try has come; mark each one."""
    now = now or timezone.now()
    result = MailResult()
    due = (Notification.objects.filter(email_status=EmailStatus.PENDING, email_next_at__lte=now)
           .select_related("user", "city").order_by("id"))
    for n in due:
        address = (n.user.email or "").strip()
        if not address:
            Notification.objects.filter(pk=n.pk).update(email_status=EmailStatus.NO_ADDRESS)
            result.no_address += 1
            continue
        subject, plain, html = render_email(n)
        msg = EmailMultiAlternatives(subject, plain, settings.DEFAULT_FROM_EMAIL, [address])
        msg.attach_alternative(html, "text/html")
        try:
            msg.send()
        except Exception as exc:  # noqa: BLE001  any transport error is retried, and shown
            attempts = n.email_attempts + 1
            give_up = attempts >= max_attempts()
            Notification.objects.filter(pk=n.pk).update(
                email_attempts=attempts, email_error=f"{type(exc).__name__}: {exc}"[:300],
                email_status=EmailStatus.FAILED if give_up else EmailStatus.PENDING,
                email_next_at=None if give_up else now + backoff(attempts))
            result.failed += 1
        else:
            Notification.objects.filter(pk=n.pk).update(
                email_status=EmailStatus.SENT, email_sent_at=now,
                email_attempts=n.email_attempts + 1, email_error="", email_next_at=None)
            result.sent += 1
    return result


# --- webhooks ------------------------------------------------------------------------------

SIGNATURE_HEADER = "X-Drugscene-Signature"
TIMESTAMP_HEADER = "X-Drugscene-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``"<timestamp>." + body`` with the secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is a failed delivery
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST and return the HTTP status (raises on a network error; only http(s) URLs)."""
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError("only http and https webhook URLs are posted to")
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with _opener.open(req, timeout=timeout) as resp:
            resp.read(1024)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


@dataclass
class HookResult:
    sent: int = 0
    failed: int = 0
    disabled: int = 0


def _attempt(d: WebhookDelivery, now: datetime) -> tuple[bool, int | None, str]:
    hook = d.webhook
    body = d.body.encode()
    stamp = str(int(now.timestamp()))
    headers = {"Content-Type": "application/json", "User-Agent": "drugscene-webhooks/1",
               TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(hook.secret, stamp, body),
               "X-Drugscene-Event": d.kind, "X-Drugscene-Delivery": str(d.uid)}
    try:
        status = post(hook.url, body, headers, timeout=_setting("NOTIFICATIONS_WEBHOOK_TIMEOUT",
                                                                10))
    except (OSError, ValueError) as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:300]
    if 200 <= status < 300:
        return True, status, ""
    return False, status, f"HTTP {status}"


def deliver_webhooks(now: datetime | None = None) -> HookResult:
    """Post due deliveries, oldest first. A webhook whose endpoint fails is left alone for
    the rest of the pass; after :func:`disable_after` failed attempts in a row it is
    switched off with the reason (shown in the admin, and audited)."""
    now = now or timezone.now()
    result = HookResult()
    for hook in Webhook.objects.filter(active=True):
        due = (WebhookDelivery.objects.filter(webhook=hook, status=DeliveryStatus.PENDING,
                                              next_attempt_at__lte=now)
               .select_related("webhook").order_by("id"))
        for d in due:
            ok, status, error = _attempt(d, now)
            attempts = d.attempts + 1
            if ok:
                WebhookDelivery.objects.filter(pk=d.pk).update(
                    status=DeliveryStatus.SENT, attempts=attempts, last_status_code=status,
                    last_error="", delivered_at=now, next_attempt_at=None)
                Webhook.objects.filter(pk=hook.pk).update(failure_count=0)
                result.sent += 1
                continue
            give_up = attempts >= max_attempts()
            WebhookDelivery.objects.filter(pk=d.pk).update(
                status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
                attempts=attempts, last_status_code=status, last_error=error,
                next_attempt_at=None if give_up else now + backoff(attempts))
            result.failed += 1
            failures = hook.failure_count + 1
            if failures >= disable_after():
                reason = (_("Disabled after %(n)s failed attempts in a row; the last: "
                            "%(error)s") % {"n": failures, "error": error})[:300]
                with transaction.atomic():
                    Webhook.objects.filter(pk=hook.pk).update(
                        failure_count=failures, active=False, disabled_at=now,
                        disabled_reason=reason)
                    audit.record(action="webhook_disabled", obj=hook,
                                 changes={"active": [True, False], "reason": reason},
                                 user_id=None, organisation_id=hook.organisation_id,
                                 channel="worker")
                result.disabled += 1
            else:
                Webhook.objects.filter(pk=hook.pk).update(failure_count=failures)
            break
    return result


def verify(secret: str, timestamp: str, body: bytes, signature: str, *,
           tolerance: int = 300, now: float | None = None) -> bool:
    """How a receiver checks a delivery (documented in docs/guides/notifications.md)."""
    if abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)

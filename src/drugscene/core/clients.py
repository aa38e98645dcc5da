"""The address of the client behind the city's reverse proxies (for throttling only).

``DRUGSCENE_TRUSTED_PROXIES`` says how many proxies stand in front of drugscene (default 0).
With one proxy, the last address in ``X-Forwarded-For`` is the one that proxy saw; addresses
further left are whatever the client claimed and are never trusted.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    hops = settings.TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if hops <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if a.strip()]
    if len(forwarded) < hops:
        return remote
    return forwarded[-hops]

"""Sign-in throttling: too many failures for one user name or from one address lock out.

Counters live in :mod:`drugscene.core.throttle` (fixed windows of
``LOGIN_LOCKOUT_SECONDS``, keys are salted hashes: neither the name nor the address is
stored). A successful sign-in clears the user name's counter; the address counter keeps
running so that one client cannot try many names.

The address limit is ``LOGIN_ADDRESS_FAILURES_ALLOWED`` when set, else four times
``LOGIN_FAILURES_ALLOWED``: a city office often shares one address (NAT, proxy), and a
few colleagues' typos must not lock the whole office out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from drugscene.core import throttle


@dataclass(frozen=True)
class LoginKeys:
    user: str
    address: str


def keys_for(username: str, address: str) -> LoginKeys:
    return LoginKeys(
        user=throttle.client_key("login-user", (username or "").strip().casefold()),
        address=throttle.client_key("login-addr", address or ""),
    )


def _window() -> int:
    return settings.LOGIN_LOCKOUT_SECONDS


def user_limit() -> int:
    return settings.LOGIN_FAILURES_ALLOWED


def address_limit() -> int:
    return getattr(settings, "LOGIN_ADDRESS_FAILURES_ALLOWED",
                   settings.LOGIN_FAILURES_ALLOWED * 4)


def locked_out(keys: LoginKeys) -> bool:
    """``True`` when the user name or the address has used up its failures."""
    window = _window()
    return (throttle.count(keys.user, window_seconds=window) >= user_limit()
            or throttle.count(keys.address, window_seconds=window) >= address_limit())


def record_failure(keys: LoginKeys) -> None:
    window = _window()
    throttle.hit(keys.user, limit=user_limit(), window_seconds=window)
    throttle.hit(keys.address, limit=address_limit(), window_seconds=window)


def record_success(keys: LoginKeys) -> None:
    throttle.reset(keys.user, window_seconds=_window())


def lockout_minutes() -> int:
    return max(1, -(-_window() // 60))

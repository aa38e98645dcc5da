from __future__ import annotations

from django.test import RequestFactory

from drugscene.core.clients import client_address


def test_without_trusted_proxies_the_socket_address_counts(settings) -> None:
    settings.TRUSTED_PROXIES = 0
    req = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(req) == "10.0.0.1"


def test_one_proxy_takes_the_address_it_saw_not_what_the_client_claimed(settings) -> None:
    settings.TRUSTED_PROXIES = 1
    req = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1",
                               HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(req) == "203.0.113.9"
    bare = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    assert client_address(bare) == "10.0.0.1"

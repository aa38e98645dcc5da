"""Helpers for the page tests: sign a client in as one of the world's users; the
headless Chromium of the browser tests (skipped locally without it, FAILED on CI)."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def as_user(client, world):
    """``as_user("police_reporter")`` signs the test client in and returns it."""

    def sign_in(name: str):
        client.force_login(world.users[name])
        return client

    return sign_in


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle=", re.I)


def assert_csp_clean(html: str) -> None:
    """No executable inline script, no style attribute, no <style> block."""
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not STYLE_ATTR.search(html), STYLE_ATTR.search(html).group(0)
    assert "<style" not in html.lower()


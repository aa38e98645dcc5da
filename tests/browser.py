"""Browser fixtures shared by every browser test: the system Chromium through Playwright.

Without Chromium (or the playwright package) the tests skip locally and FAIL on CI (``CI``
set): a CI run that silently skips its browser tests proves nothing. ``DRUGSCENE_CHROMIUM``
overrides the browser path (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import factories

DESKTOP = {"width": 1280, "height": 860}
CHROMIUM = Path(os.environ.get("DRUGSCENE_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium'."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        if os.environ.get("CI"):
            pytest.fail("The playwright package is missing (pip install -e '.[test]').")
        pytest.skip("The playwright package is missing.")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Pages:
    """Opens pages for a test and collects console errors (CSP violations show there)."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts: list = []
        self.errors: list[str] = []

    def new(self, *, viewport: dict | None = None, **options):
        context = self.browser.new_context(base_url=self.base_url,
                                           viewport=viewport or DESKTOP, **options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", self._response)
        return page

    def _console(self, message) -> None:
        # Pages answered 404/422/429 on purpose are logged as failed resources; failed
        # assets are caught by _response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def login(self, name: str, **options):
        page = self.new(**options)
        page.goto("/login/")
        page.fill("#id_username", name)
        page.fill("#id_password", factories.PASSWORD)
        page.click("button[type=submit].btn-primary")
        page.wait_for_url(re.compile(r"/$|/#"))
        return page

    def close(self) -> None:
        for c in self.contexts:
            c.close()


@pytest.fixture
def pages(browser, live_server, world) -> Iterator[Pages]:
    p = Pages(browser, live_server.url)
    yield p
    p.close()
    assert p.errors == [], p.errors

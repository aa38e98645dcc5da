"""Shared fixtures: a small city with districts, partner organisations and users per role."""

from __future__ import annotations

import os

os.environ.setdefault("DRUGSCENE_TESTING", "1")

import pytest  # noqa: E402

from tests import factories  # noqa: E402
from tests.browser import browser, pages  # noqa: E402, F401  (fixtures for every app)


@pytest.fixture
def city(db):
    return factories.make_city()


@pytest.fixture
def world(city):
    """The city plus organisations and one user per (organisation, role) that tests need."""
    return factories.make_world(city)


@pytest.fixture(autouse=True)
def _language_of_the_thread_is_reset():
    """A page requested in Swedish or Dutch leaves that language active in the thread
    (Django's LocaleMiddleware activates it per request and never resets it); every test
    starts and ends in the default language, so none depends on the one before."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    ``test_passwords_are_hashed_with_argon2`` restores the production setting."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

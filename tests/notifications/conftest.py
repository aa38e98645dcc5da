"""Fixtures of the notification tests: signed-in clients, e-mail kept in memory."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_user(client, world):
    def sign_in(name: str):
        client.force_login(world.users[name])
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DRUGSCENE_SITE_URL = "https://drugscene.example"

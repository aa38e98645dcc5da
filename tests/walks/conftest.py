"""Page-test helper: sign the test client in as one of the world's users."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_user(client, world):
    """``as_user("police_reporter")`` signs the test client in and returns it."""

    def sign_in(name: str):
        client.force_login(world.users[name])
        return client

    return sign_in

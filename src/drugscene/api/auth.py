"""API authentication: partner-system bearer tokens, or the browser session."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from drugscene.accounts.tokens import user_for_token


class TokenUser:
    """Marks a request authenticated by a token (``request.auth``), not by a session."""

    def __init__(self, user) -> None:
        self.user = user


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return TokenUser(user)


AUTH = [TokenAuth(), SessionAuth()]

"""The action tests use the scene register's helpers."""

from tests.scenes.conftest import as_user, offset, place_at  # noqa: F401

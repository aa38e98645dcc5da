"""The evidence tests use the page helpers of the web tests."""

from tests.web.conftest import as_user  # noqa: F401

"""Typed domain errors, mapped to HTTP status codes in one place (:data:`HTTP_STATUS`)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service or selector raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.errors: dict[str, list[str]] = errors or ({field: [str(message)]} if field else {})

    def as_dict(self) -> dict:
        return {"error": self.code, "detail": self.message, "fields": self.errors}


class ValidationFailed(DomainError):
    """Input that cannot be stored as given: names the fields at fault."""

    code = "validation_failed"


class ReportRejected(ValidationFailed):
    code = "report_rejected"


class NotVisible(DomainError):
    """The object does not exist or the caller may not see it (we never tell which)."""

    code = "not_found"


class PermissionDenied(DomainError):
    code = "permission_denied"


class RateLimited(DomainError):
    code = "rate_limited"


HTTP_STATUS: dict[type[DomainError], int] = {
    ValidationFailed: 422,
    ReportRejected: 422,
    NotVisible: 404,
    PermissionDenied: 403,
    RateLimited: 429,
}


def http_status(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 400

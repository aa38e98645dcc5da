"""Small helpers every service uses: collect field problems, scrub free text, the acting
organisation of a viewer."""

from __future__ import annotations

from drugscene.accounts.access import Viewer
from drugscene.core.errors import ValidationFailed
from drugscene.privacy.scrub import scrub_text


class Problems:
    """Field name → messages; every problem of an input is raised together, at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def merge(self, prefix: str, other: Problems) -> None:
        """Take over another input's problems under ``prefix`` (e.g. ``findings-2-``)."""
        for name, messages in other.errors.items():
            for message in messages:
                self.add(f"{prefix}{name}", message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(next(iter(self.errors.values()))[0], errors=self.errors)


def scrubbed(text: str | None) -> str:
    """Free text with personal identifiers removed, ready to store."""
    return scrub_text((text or "").strip()).text


def seat_organisation(viewer: Viewer, city_id: int) -> int | None:
    """The organisation a viewer acts for in a city (for the audit trail)."""
    seat = viewer.seat_in(city_id)
    return seat.organisation_id if seat else None

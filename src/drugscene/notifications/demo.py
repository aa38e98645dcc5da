"""The notifications part of the demo city (see drugscene.demo.loader.EXTENSIONS)."""

from __future__ import annotations


def build(city, demo, orgs, progress) -> None:
    """Add the demo city's notifications (written by the notifications issue)."""
    return None

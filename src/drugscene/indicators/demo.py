"""The indicators part of the demo city (see drugscene.demo.loader.EXTENSIONS)."""

from __future__ import annotations


def build(city, demo, orgs, progress) -> None:
    """Add the demo city's indicators (written by the indicators issue)."""
    return None

"""The plans part of the demo city (see drugscene.demo.loader.EXTENSIONS)."""

from __future__ import annotations


def build(city, demo, orgs, progress) -> None:
    """Add the demo city's plans (written by the plans issue)."""
    return None

"""Where the real public data lies (``../shared/data/real``), for the tests that use it.

Tests that read it skip, with the path in the reason, when it is absent: a fresh clone without
``../shared`` still passes; CI has the data."""

from __future__ import annotations

import os
from pathlib import Path


def real_data() -> Path:
    """``$DRUGSCENE_REAL_DATA``, else ``shared/data/real`` beside the project (or above it)."""
    if os.environ.get("DRUGSCENE_REAL_DATA"):
        return Path(os.environ["DRUGSCENE_REAL_DATA"])
    for parent in Path(__file__).resolve().parents[1:]:
        candidate = parent / "shared" / "data" / "real"
        if candidate.is_dir():
            return candidate
    return Path("shared/data/real")

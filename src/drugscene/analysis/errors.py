"""The one error type that analysis functions raise for input they cannot analyse."""

from __future__ import annotations


class AnalysisError(ValueError):
    """Input that cannot be analysed (no points, one cell, all-zero counts, ...).

    The message says what is wrong in words a user can act on; the CLI prints it without a
    traceback. Anything else that escapes an analysis function is a bug.
    """

"""Subcommands of ``drugscene analyse``: every module in this package except ``common``.

Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(options, source, out) -> None`` where ``source`` is a
:class:`~drugscene.cli.analyse.common.Source` (points + study area) and ``out`` a text
stream for the human-readable summary.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

SUBCOMMANDS: tuple[str, ...] = tuple(sorted(
    m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
    if m.name != "common" and not m.name.startswith("_")
))

"""Subcommands of ``drugscene analyse``; one module each, listed in :data:`SUBCOMMANDS`.

Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(options, source, out) -> None`` where ``source`` is an
:class:`~drugscene.cli.analyse.common.Source` (points + study area) and ``out`` a text
stream for the human-readable summary.
"""

SUBCOMMANDS: tuple[str, ...] = ()

"""The ``drugscene`` command: Django management commands under one entry point.

``drugscene demo``, ``drugscene serve``, ``drugscene users``, ``drugscene token`` and every
Django command (``drugscene migrate``, ``drugscene createsuperuser`` ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drugscene.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["drugscene", *argv])
    args[0] = "drugscene"
    execute_from_command_line(args)

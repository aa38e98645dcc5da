"""Helpers for the import tests: write small input files and run the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run_import(path, *args: str) -> Run:
    out, err = StringIO(), StringIO()
    try:
        call_command("import", "reports", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return Run(exc.returncode, out.getvalue(), err.getvalue() + str(exc))
    return Run(0, out.getvalue(), err.getvalue())


@pytest.fixture
def write(tmp_path):
    def _write(name: str, text: str, encoding: str = "utf-8"):
        p = tmp_path / name
        p.write_bytes(text.encode(encoding))
        return p

    return _write

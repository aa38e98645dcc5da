"""The README's command-line section must match the real commands (docs fall behind → fail)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

README = Path(__file__).resolve().parents[2] / "README.md"


def documented() -> list[tuple[str, set[str]]]:
    text = README.read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    out = []
    for line in block.strip().splitlines():
        if not line.startswith("drugscene ") or "..." in line.split("|")[0]:
            continue
        name = line.split()[1]
        out.append((name, set(re.findall(r"--[a-z][a-z0-9-]*", line))))
    return out


@pytest.mark.parametrize(("name", "options"), documented())
def test_documented_command_exists_with_its_options(name: str, options: set[str]) -> None:
    commands = get_commands()
    assert name in commands, f"README documents 'drugscene {name}', which does not exist"
    parser = load_command_class(commands[name], name).create_parser("drugscene", name)
    known = set()
    for action in parser._actions:
        known.update(action.option_strings)
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            for sub in action.choices.values():
                for a in sub._actions:
                    known.update(a.option_strings)
    missing = options - known
    assert not missing, f"README lists {sorted(missing)} for 'drugscene {name}'"


def test_readme_lists_the_commands() -> None:
    names = {n for n, _ in documented()}
    assert {"demo", "serve", "users", "token", "export"} <= names

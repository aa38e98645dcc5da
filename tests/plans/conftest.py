"""Plans tests: a signed-in client, and a plan file written row by row."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from tests.web.conftest import as_user  # noqa: F401  (fixture)

COLUMNS = ["number", "title", "pillar", "themes", "lead_organisation", "partners",
           "budget_eur", "start", "end", "status", "spent_eur", "description",
           "working_group", "goals"]
PILLARS = ["prevention", "early_intervention", "care", "harm_reduction", "enforcement"]
STATUSES = ["planned", "ongoing", "done", "delayed", "stopped"]
THEMES = ["Targeted prevention", "Accessible care", "Crime and nuisance",
          "Inclusive recovery"]


def plan_rows(n: int, orgs: list[str]) -> list[dict[str, str]]:
    """``n`` varied, valid rows (deterministic): every pillar and status, some rows
    without owner, budget or end, amounts with and without cents."""
    rows = []
    for i in range(n):
        start = date(2025, 1, 1) + timedelta(days=17 * i)
        rows.append({
            "number": f"{i // 10 + 1}.{i % 10 + 1}",
            "title": f"Actie {i + 1}",
            "pillar": PILLARS[(i * 7) % 5],
            "themes": ";".join(THEMES[j] for j in range(4) if (i >> j) & 1),
            "lead_organisation": "" if i % 9 == 4 else orgs[i % len(orgs)],
            "partners": ";".join(sorted({orgs[(i + 1) % len(orgs)],
                                         orgs[(i + 2) % len(orgs)]})) if i % 3 else "",
            "budget_eur": "" if i % 11 == 5 else (f"{1000 * (i + 3) + 250}.50" if i % 4 == 1
                                                   else str(1000 * (i + 3))),
            "start": start.isoformat(),
            "end": "" if i % 13 == 7 else (start + timedelta(days=400)).isoformat(),
            "status": STATUSES[(i * 3) % 5],
            "spent_eur": str(100 * i) if i % 2 else "",
            "description": f"Beschrijving {i + 1}" if i % 5 == 0 else "",
            "working_group": ["", "Preventie", "Zorg en herstel", "Criminaliteit"][i % 4],
            "goals": ";".join(sorted({f"G{i % 3 + 1}", f"G{i % 4 + 1}"})) if i % 2 else "",
        })
    return rows


def to_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns or COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.fixture
def org_names(world) -> list[str]:
    return sorted(o.name for o in world.orgs.values())

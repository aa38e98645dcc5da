"""Plan files: a 56-action import read back through the API, errors by line with nothing
imported, and the export round trip (CSV and XLSX, pages and command line)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from drugscene.accounts.access import Viewer
from drugscene.plans import transfer
from drugscene.plans.models import Plan, PlanAction
from tests.plans.conftest import COLUMNS, plan_rows, to_csv

pytestmark = pytest.mark.django_db
OPERATOR = Viewer(user_id=None, is_superuser=True)


def _read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_56_actions_import_and_progress_api_match_the_file(world, org_names, as_user,
                                                            tmp_path):
    rows = plan_rows(56, org_names)
    path = tmp_path / "gent.csv"
    path.write_bytes(to_csv(rows))
    out = io.StringIO()
    call_command("plan", "import", str(path), "--city", world.city.slug,
                 "--title", "Drugsbeleidsplan 2020-2025", stdout=out)
    plan_id = int(out.getvalue().strip())
    assert Plan.objects.get(pk=plan_id).title == "Drugsbeleidsplan 2020-2025"

    # expected figures computed from the file alone
    counts: dict[str, Counter] = defaultdict(Counter)
    budget: dict[str, Decimal] = defaultdict(Decimal)
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        counts[r["pillar"]][r["status"]] += 1
        budget[r["pillar"]] += Decimal(r["budget_eur"] or 0)
        spent[r["pillar"]] += Decimal(r["spent_eur"] or 0)

    client = as_user("housing_viewer")
    data = client.get(f"/api/v1/plans/{plan_id}/progress").json()
    got = {p["key"]: p for p in data["pillars"]}
    assert set(got) == set(counts)
    for code, expected in counts.items():
        assert got[code]["n_actions"] == sum(expected.values())
        assert {k: v for k, v in got[code]["by_status"].items() if v} == dict(expected)
        assert got[code]["budget_eur"] == pytest.approx(float(budget[code]), abs=0.001)
        assert got[code]["spent_eur"] == pytest.approx(float(spent[code]), abs=0.001)
    assert data["overall"]["n_actions"] == 56
    assert {f["kind"] for f in data["findings"]} >= {"action_without_owner",
                                                     "action_without_budget",
                                                     "action_without_end_date"}
    n_no_owner = sum(1 for r in rows if not r["lead_organisation"])
    assert sum(f["kind"] == "action_without_owner" for f in data["findings"]) == n_no_owner

    listed = client.get(f"/api/v1/plans?city={world.city.slug}").json()
    assert [(p["id"], p["n_actions"]) for p in listed] == [(plan_id, 56)]


def test_a_bad_date_on_line_17_is_named_and_nothing_is_imported(world, org_names, tmp_path):
    rows = plan_rows(30, org_names)
    rows[15]["start"] = "2025-13-01"  # header is line 1: row index 15 is line 17
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("plan", "import", str(path), "--city", world.city.slug, stderr=err)
    assert "line 17: start: not a date (2025-13-01)" in err.getvalue()
    assert "line 16" not in err.getvalue() and "line 18" not in err.getvalue()
    assert Plan.objects.count() == 0 and PlanAction.objects.count() == 0


def test_every_bad_row_is_reported_at_once(world, org_names):
    rows = plan_rows(8, org_names)
    rows[0]["pillar"] = "repressie-plus"
    rows[2]["lead_organisation"] = "Unknown Org"
    rows[3]["partners"] = f"{org_names[0]};Nobody"
    rows[4]["budget_eur"] = "lots"
    rows[5]["status"] = "finished"
    rows[6]["number"] = rows[1]["number"]
    rows[7]["end"] = "2024-01-01"
    with pytest.raises(transfer.ImportFailed) as exc:
        transfer.import_plan(OPERATOR, world.city, to_csv(rows), "plan.csv")
    lines = exc.value.lines
    assert lines[0] == "line 2: pillar: unknown pillar (repressie-plus)"
    assert "line 4: lead_organisation: unknown organisation (Unknown Org)" in lines
    assert "line 5: partners: unknown organisation (Nobody)" in lines
    assert "line 6: budget_eur: not an amount of 0 or more (lots)" in lines
    assert any(x.startswith("line 7: status: unknown status") for x in lines)
    assert "line 8: number: the same number as line 3 (1.2)" in lines
    assert "line 9: end: before the start (2024-01-01)" in lines
    assert len(lines) == 7
    assert not Plan.objects.exists()


def test_missing_columns_are_named(world, org_names):
    rows = plan_rows(2, org_names)
    data = to_csv([{k: v for k, v in r.items() if k not in ("pillar", "status")}
                   for r in rows], [c for c in COLUMNS if c not in ("pillar", "status")])
    with pytest.raises(transfer.ImportFailed) as exc:
        transfer.import_plan(OPERATOR, world.city, data, "plan.csv")
    assert exc.value.lines == ["line 1: missing column(s): pillar, status"]


def test_only_coordinators_import(world, org_names):
    from drugscene.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        transfer.import_plan(world.viewer("police_analyst"), world.city,
                             to_csv(plan_rows(3, org_names)), "plan.csv")
    plan = transfer.import_plan(world.viewer("municipality_coordinator"), world.city,
                                to_csv(plan_rows(3, org_names)), "plan.csv")
    assert plan.actions.count() == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_gives_the_same_rows_back(world, org_names, tmp_path, fmt):
    rows = plan_rows(56, org_names)
    plan = transfer.import_plan(OPERATOR, world.city, to_csv(rows), "plan.csv")
    out = tmp_path / f"plan.{fmt}"
    call_command("plan", "export", str(plan.pk), "--out", str(out), stderr=io.StringIO())
    header, back = transfer.read_rows(out.read_bytes(), out.name)
    assert header == COLUMNS
    assert [r for _line, r in back] == rows
    # and the exported file imports again into the same rows
    again = transfer.import_plan(OPERATOR, world.city, out.read_bytes(), out.name)
    assert _read_csv(transfer.export_csv(again)) == rows


def test_xlsx_import(world, org_names):
    rows = plan_rows(12, org_names)
    first = transfer.import_plan(OPERATOR, world.city, to_csv(rows), "plan.csv")
    xlsx = transfer.export_xlsx(first)
    second = transfer.import_plan(OPERATOR, world.city, xlsx, "plan.xlsx", "Uit Excel")
    assert second.title == "Uit Excel"
    assert _read_csv(transfer.export_csv(second)) == rows


def test_upload_and_download_on_the_pages(as_user, world, org_names):
    client = as_user("municipality_coordinator")
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = plan_rows(5, org_names)
    rows[3]["start"] = "2025-02-30"
    bad = SimpleUploadedFile("plan.csv", to_csv(rows), content_type="text/csv")
    response = client.post("/plans/import/", {"file": bad, "title": "Plan"})
    assert response.status_code == 422
    assert "line 5: start: not a date (2025-02-30)" in response.content.decode()
    assert not Plan.objects.exists()
    rows[3]["start"] = "2025-02-28"
    good = SimpleUploadedFile("plan.csv", to_csv(rows), content_type="text/csv")
    response = client.post("/plans/import/", {"file": good, "title": "Plan"})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    download = client.get(f"/plans/{plan.pk}/actions.csv")
    assert _read_csv(download.content) == rows
    assert client.get(f"/plans/{plan.pk}/actions.pdf").status_code == 404
    # others may download but not import
    viewer = as_user("police_viewer")
    assert viewer.get(f"/plans/{plan.pk}/actions.xlsx").status_code == 200
    again = SimpleUploadedFile("plan.csv", to_csv(rows), content_type="text/csv")
    assert viewer.post("/plans/import/", {"file": again}).status_code == 403

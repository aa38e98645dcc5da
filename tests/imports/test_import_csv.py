"""``drugscene import reports``: the default CSV format, validation, rejects, idempotence."""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime

import h3
import pytest

from drugscene.audit.models import AuditEntry
from drugscene.imports.models import ImportRun
from drugscene.reports.models import Report
from tests.imports.conftest import run_import

HEADER = "id,lon,lat,time,category,text\n"
ARGS = ("--city", "testby", "--source", "Police")


def test_minimal_csv_is_imported_with_every_field(world, write) -> None:
    path = write("minimal.csv", HEADER
                 + "a1,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,Vid porten\n"
                 + "a2,16.91,59.005,2025-03-02T08:30:00Z,drug_litter,\n")
    r = run_import(path, *ARGS)
    assert r.code == 0, r.err
    a1 = Report.objects.get(external_id="a1")
    assert (a1.lon, a1.lat) == (16.89, 59.0)
    assert a1.occurred_from == datetime(2025, 3, 1, 21, 0, tzinfo=UTC)
    assert a1.occurred_to is None
    assert a1.category.slug == "open_use"
    assert a1.source == world.orgs["police"]
    assert a1.area.slug == "west"
    assert a1.h3_cell == h3.str_to_int(h3.latlng_to_cell(59.0, 16.89, 12))
    assert a1.channel == "import"
    assert a1.text == "Vid porten"
    a2 = Report.objects.get(external_id="a2")
    assert a2.area.slug == "east"
    assert a2.occurred_from == datetime(2025, 3, 2, 8, 30, tzinfo=UTC)
    assert a2.category.slug == "drug_litter"
    assert "Imported 2 reports" in r.out


def test_visibility_defaults_to_all_partners_and_review_to_new(world, write) -> None:
    path = write("v.csv", HEADER + "a1,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,\n")
    assert run_import(path, *ARGS).code == 0
    report = Report.objects.get()
    assert report.visibility == "partners"
    assert report.review_status == "new"
    assert not report.restricted_to.exists()


def test_naive_times_are_in_the_city_time_zone(world, write) -> None:
    # Europe/Stockholm is UTC+1 in January and UTC+2 in July
    path = write("tz.csv", HEADER + "w,16.89,59.0,2025-01-15 12:00,open_use,\n"
                 "s,16.89,59.0,2025-07-15T12:00:00,open_use,\n")
    assert run_import(path, *ARGS).code == 0
    assert Report.objects.get(external_id="w").occurred_from == datetime(2025, 1, 15, 11,
                                                                         tzinfo=UTC)
    assert Report.objects.get(external_id="s").occurred_from == datetime(2025, 7, 15, 10,
                                                                         tzinfo=UTC)


def test_source_is_found_by_slug_too_and_unknown_source_is_refused(world, write) -> None:
    path = write("s.csv", HEADER + "a1,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,\n")
    r = run_import(path, "--city", "testby", "--source", "nobody")
    assert r.code == 2 and "no organisation 'nobody'" in r.err
    assert run_import(path, "--city", "testby", "--source", "housing").code == 0
    assert Report.objects.get().source == world.orgs["housing"]


def test_text_is_scrubbed_like_the_report_form(world, write) -> None:
    path = write("t.csv", HEADER + 'a1,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,'
                 '"Ring 070-123 45 67 eller mejla kalle@example.se"\n')
    assert run_import(path, *ARGS).code == 0
    report = Report.objects.get()
    assert "070-123 45 67" not in report.text
    assert "kalle@example.se" not in report.text
    assert "[phone removed]" in report.text and "[e-mail removed]" in report.text
    assert set(report.scrubbed.split(",")) == {"phone", "email"}
    audit_texts = " ".join(str(e.changes) for e in AuditEntry.objects.all())
    assert "070-123" not in audit_texts


def test_utf8_bom_semicolons_and_gzip(world, tmp_path) -> None:
    text = ("id;lon;lat;time;category;text\n"
            "a1;16.89;59.0;2025-03-01T22:00:00+01:00;open_use;Gården bakom skolan\n")
    path = tmp_path / "bom.csv.gz"
    path.write_bytes(gzip.compress(b"\xef\xbb\xbf" + text.encode("utf-8")))
    r = run_import(path, *ARGS)
    assert r.code == 0, r.err
    assert Report.objects.get().text == "Gården bakom skolan"


BAD = (
    HEADER
    + "ok1,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,\n"            # line 2
    + "bad-x,abc,59.0,2025-03-01T22:00:00+01:00,open_use,\n"            # line 3
    + "far,18.07,59.33,2025-03-01T22:00:00+01:00,open_use,\n"           # line 4
    + "bad-t,16.89,59.0,yesterday,open_use,\n"                          # line 5
    + "future,16.89,59.0,2999-01-01T00:00:00Z,open_use,\n"              # line 6
    + "bad-c,16.89,59.0,2025-03-01T22:00:00+01:00,crack_house,\n"       # line 7
    + ",16.89,59.0,2025-03-01T22:00:00+01:00,open_use,\n"               # line 8
    + "ok1,16.89,59.0,2025-03-02T22:00:00+01:00,open_use,\n"            # line 9
    + "short,16.89,59.0\n"                                              # line 10
    + 'multi,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,"two\nlines"\n'  # lines 11-12
    + "after,16.89,,2025-03-01T22:00:00+01:00,open_use,\n"              # line 13
    + "long,16.89,59.0,2025-03-01T22:00:00+01:00,open_use," + "x" * 4001 + "\n"  # line 14
)
EXPECTED = [
    "line 3: lon: 'abc' is not a number",
    "line 4: lon: the position (18.070000, 59.330000) lies outside Testby",
    "line 5: time: 'yesterday' is not an ISO 8601 time",
    "line 6: time: lies in the future",
    "line 7: category: unknown category 'crack_house'",
    "line 8: id: missing external id",
    "line 9: id: 'ok1' also on line 2",
    "line 10: row: 3 fields, the header has 6",
    "line 13: lat: missing",
    "line 14: text: at most 4000 characters",
]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(world, write) -> None:
    path = write("bad.csv", BAD)
    r = run_import(path, *ARGS)
    assert r.code == 1
    lines = [ln for ln in r.err.splitlines() if ln.startswith("line ")]
    assert lines == EXPECTED
    assert "10 of 12 rows are invalid; nothing was imported" in r.err
    assert Report.objects.count() == 0
    assert ImportRun.objects.count() == 0
    assert not (path.parent / "bad.rejects.csv").exists()


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejects(world, write) -> None:
    path = write("bad.csv", BAD)
    r = run_import(path, *ARGS, "--skip-invalid")
    assert r.code == 0, r.err
    assert sorted(Report.objects.values_list("external_id", flat=True)) == ["multi", "ok1"]
    assert Report.objects.get(external_id="multi").text == "two\nlines"
    rejects = path.parent / "bad.rejects.csv"
    assert str(rejects) in r.out
    with open(rejects, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["id", "lon", "lat", "time", "category", "text", "reason"]
    assert [row[0] for row in rows[1:]] == ["bad-x", "far", "bad-t", "future", "bad-c", "",
                                            "ok1", "short", "after", "long"]
    assert rows[1][1] == "abc"
    assert rows[1][-1] == "line 3: lon: 'abc' is not a number"
    assert rows[8][:3] == ["short", "16.89", "59.0"]
    run = ImportRun.objects.get()
    assert (run.rows_in_file, run.rows_invalid, run.rows_imported) == (12, 10, 2)
    assert run.rejects_file == str(rejects)


def test_dry_run_writes_nothing(world, write) -> None:
    path = write("d.csv", HEADER + "a1,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,\n")
    r = run_import(path, *ARGS, "--dry-run")
    assert r.code == 0
    assert "1 would be imported" in r.out
    assert Report.objects.count() == 0 and ImportRun.objects.count() == 0


def test_reimport_changes_nothing_and_counts_what_is_present(world, write) -> None:
    rows = "".join(f"r{i},16.89,59.0,2025-03-01T22:{i:02d}:00+01:00,open_use,\n"
                   for i in range(30))
    path = write("same.csv", HEADER + rows)
    assert run_import(path, *ARGS).code == 0
    before = list(Report.objects.order_by("pk").values_list("pk", "external_id",
                                                            "occurred_from"))
    r = run_import(path, *ARGS)
    assert r.code == 0
    assert "Imported 0 reports" in r.out and "30 already present" in r.out
    assert list(Report.objects.order_by("pk").values_list("pk", "external_id",
                                                          "occurred_from")) == before
    runs = list(ImportRun.objects.order_by("pk"))
    assert [(x.status, x.rows_imported, x.rows_present) for x in runs] == [
        ("done", 30, 0), ("done", 0, 30)]
    assert runs[0].sha256 == runs[1].sha256
    entries = AuditEntry.objects.filter(object_type="imports.importrun")
    assert entries.count() == 2  # one per run, none per row
    assert not AuditEntry.objects.filter(object_type="reports.report").exists()


def test_the_same_external_id_from_another_source_is_another_report(world, write) -> None:
    path = write("two.csv", HEADER + "a1,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,\n")
    assert run_import(path, *ARGS).code == 0
    assert run_import(path, "--city", "testby", "--source", "Housing").code == 0
    assert Report.objects.filter(external_id="a1").count() == 2


def test_missing_column_is_a_file_error(world, write) -> None:
    path = write("nolat.csv", "id,lon,time,category\na,16.89,2025-03-01,open_use\n")
    r = run_import(path, *ARGS)
    assert r.code == 2
    assert "line 1: no column 'lat'" in r.err


@pytest.mark.parametrize("body", ["", "id,lon,lat,time,category\n"])
def test_empty_files(world, write, body) -> None:
    path = write("empty.csv", body)
    r = run_import(path, *ARGS)
    if body:
        assert r.code == 0 and "Imported 0 reports" in r.out
    else:
        assert r.code == 2 and "empty" in r.err


def test_rejects_file_goes_where_asked_and_an_unwritable_place_is_refused(world, write,
                                                                          tmp_path) -> None:
    path = write("some.csv", HEADER + "a1,16.89,59.0,2025-03-01T22:00:00+01:00,open_use,\n"
                 "a2,99,59.0,2025-03-01T22:00:00+01:00,open_use,\n")
    r = run_import(path, *ARGS, "--skip-invalid", "--rejects",
                   str(tmp_path / "no-such-dir" / "r.csv"))
    assert r.code == 2 and "cannot write the rejects file" in r.err
    assert Report.objects.count() == 0
    target = tmp_path / "elsewhere.csv"
    r = run_import(path, *ARGS, "--skip-invalid", "--rejects", str(target))
    assert r.code == 0, r.err
    assert target.read_text(encoding="utf-8").splitlines()[1].startswith("a2,99,")
    assert not (tmp_path / "some.rejects.csv").exists()

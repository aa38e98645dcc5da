"""The real police.uk drug-offence extract imported as a city of its own (skipped when the
data is not present; see shared/data/real/SOURCES.md, OGL v3.0)."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from drugscene.imports.models import ImportRun
from drugscene.reports.models import Report
from tests.imports.conftest import run_import
from tests.realdata import real_data

POLICE_UK = real_data() / "policeuk-201810-201902-drugs.csv.gz"
MAPPING = (Path(__file__).resolve().parents[2] / "src" / "drugscene" / "imports" / "mappings"
           / "police-uk-normalised.toml")


@pytest.mark.skipif(not POLICE_UK.exists(),
                    reason=f"real data not present ({POLICE_UK}); set DRUGSCENE_REAL_DATA")
@pytest.mark.django_db
def test_police_uk_drug_offences_import_as_their_own_city() -> None:
    with gzip.open(POLICE_UK, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    drug_rows = [r for r in rows if r["category"] == "drugs"]
    per_month = Counter(r["time"][:7] for r in drug_rows)

    out = StringIO()
    call_command("city", "create", "--slug", "policeuk", "--name", "England and Wales "
                 "(police.uk)", "--crs", "EPSG:27700", "--timezone", "Europe/London",
                 "--language", "en", "--from-points", str(POLICE_UK), "--mapping",
                 str(MAPPING), stdout=out)
    call_command("city", "add-organisation", "--city", "policeuk", "--name",
                 "Police (police.uk)", "--kind", "police", stdout=out)
    args = ("--city", "policeuk", "--source", "Police (police.uk)", "--mapping", str(MAPPING))
    r = run_import(POLICE_UK, *args)
    assert r.code == 0, r.err
    reports = Report.objects.filter(city__slug="policeuk")
    assert reports.count() == len(drug_rows)
    london = ZoneInfo("Europe/London")
    months = Counter(t.astimezone(london).strftime("%Y-%m")
                     for t in reports.values_list("occurred_from", flat=True))
    assert months == per_month
    run = ImportRun.objects.get()
    assert run.attribution.startswith("Contains public sector information")

    again = run_import(POLICE_UK, *args)
    assert again.code == 0
    assert f"{len(drug_rows):,} already present" in again.out
    assert reports.count() == len(drug_rows)

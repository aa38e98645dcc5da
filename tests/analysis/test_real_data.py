"""Analyses on real public data (police.uk drug offences, OGL v3.0) where it is present.

The data lies outside the repository (``../shared/data/real``, see its SOURCES.md); CI has it,
a fresh clone without it skips these tests. "Contains public sector information licensed
under the Open Government Licence v3.0."
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import h3
import pytest
from django.core.management import call_command

from tests.realdata import real_data

REAL = real_data()
POLICE_UK = REAL / "policeuk-201810-201902-drugs.csv.gz"
LIVERPOOL = {"type": "Polygon", "coordinates": [[[-3.25, 53.3], [-2.55, 53.3], [-2.55, 53.7],
                                                 [-3.25, 53.7], [-3.25, 53.3]]]}

needs_data = pytest.mark.skipif(not POLICE_UK.exists(), reason="real data not present here")


@needs_data
def test_liverpool_city_centre_is_a_drug_offence_hot_spot(tmp_path) -> None:
    area = tmp_path / "liverpool.geojson"
    area.write_text(json.dumps(LIVERPOOL))
    out = tmp_path / "cells.csv"
    call_command("analyse", "hotspots", str(POLICE_UK), "--area", str(area), "--h3", "8",
                 "--rings", "1", "--out", str(out), stdout=io.StringIO())
    with out.open() as fh:
        rows = {r["cell"]: r for r in csv.DictReader(fh)}
    meta = json.loads(Path(f"{out}.json").read_text())
    assert len(rows) > 1000  # every cell of the area, zeros included
    assert sum(int(r["count"]) for r in rows.values()) == 3993  # SOURCES.md: rows in the box
    centre = h3.latlng_to_cell(53.405, -2.98, 8)  # Liverpool city centre
    assert rows[centre]["bin"] == "3"
    assert all(float(r["p_fdr"]) >= float(r["p"]) for r in rows.values())
    assert "polygon" in json.dumps(meta)

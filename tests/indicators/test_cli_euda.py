"""``drugscene indicators``: import (exit status and line errors), list, and the EUDA
wastewater converter on the real file where it is present.

Wastewater data: EUDA (EMCDDA) and SCORE, "Drugs in municipal wastewater in Europe" (re-use
allowed with that acknowledgement; see shared/data/real/SOURCES.md). The file is read in
place, never copied into the repository.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from drugscene.audit.models import AuditEntry
from drugscene.indicators import euda
from drugscene.indicators.models import Measurement
from tests.realdata import real_data

pytestmark = pytest.mark.django_db
WW = "mg/1000 inhabitants/day"


EUDA = real_data() / "wastewater-euda.csv"
needs_euda = pytest.mark.skipif(not EUDA.exists(),
                                reason=f"EUDA wastewater data not present ({EUDA})")


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("indicators", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_command(tmp_path, city):
    path = tmp_path / "m.csv"
    path.write_text("indicator,area,period,value,unit,source\n"
                    "syringe-finds,west,2025-03,14,syringes,Gatukontoret\n"
                    f"wastewater-mdma,,2025-W07,<LOD,{WW},Lab\n")
    out, _err = _run("import", str(path), "--city", city.slug)
    assert "2 rows: 2 new" in out
    out, _err = _run("import", str(path), "--city", city.slug)
    assert "0 new, 0 updated, 2 unchanged" in out
    assert Measurement.objects.count() == 2
    assert AuditEntry.objects.filter(channel="cli", action="create").count() == 2
    listing, _err = _run("list", "--city", city.slug)
    assert "wastewater-mdma" in listing and "2025-W07 <LOD" in listing


def test_bad_file_exits_non_zero_with_line_errors(tmp_path, city):
    path = tmp_path / "bad.csv"
    path.write_text("indicator,area,period,value,unit,source\n"
                    "syringe-finds,west,2025-03,14,syringes,x\n"
                    "syringe-finds,west,2025-04,many,syringes,x\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("indicators", "import", str(path), "--city", city.slug,
                     stdout=io.StringIO(), stderr=err)
    assert "line 3: value:" in err.getvalue()
    assert Measurement.objects.count() == 0


def test_bad_file_exit_status_from_the_shell(tmp_path, city):
    """Through the real entry point: a non-zero exit status."""
    from django.core.management import execute_from_command_line

    path = tmp_path / "bad.csv"
    path.write_text("indicator,area,period,value,unit,source\nnope,,2025,1,x,x\n")
    with pytest.raises(SystemExit) as exc:
        execute_from_command_line(["drugscene", "indicators", "import", str(path),
                                   "--city", city.slug])
    assert exc.value.code == 1


def test_unknown_city(tmp_path, db):
    path = tmp_path / "m.csv"
    path.write_text("indicator,area,period,value,unit,source\n")
    with pytest.raises(CommandError, match="No city"):
        _run("import", str(path), "--city", "nowhere")


def test_converter_on_a_small_file(tmp_path):
    src = tmp_path / "ww.csv"
    src.write_text(
        "country,city,substance,year,period,value_mg_per_1000_inh_day,note\n"
        'SE,Testby (2),cocaine,2023,weekly mean,211.23,"EUDA 2025 release, site SE005"\n'
        'SE,Testby (2),cocaine,2023,Monday,190.1,"EUDA 2025 release, site SE005"\n'
        'SE,Testby (2),cannabis,2024,weekly mean,,"below LOQ (source value 0); EUDA"\n'
        'SE,Testby (2),MDMA,2014,weekly mean,,"source value 0, ambiguous in this table"\n'
        'SE,Testby (2),ketamine,2024,weekly mean,14.96,"EUDA 2025 release"\n'
        'SE,Other,cocaine,2023,weekly mean,99,"EUDA 2025 release"\n')
    conv = euda.convert(euda.read(src), "Testby (2)")
    assert [(r["indicator"], r["period"], r["value"]) for r in conv.rows] == [
        ("wastewater-cocaine", "2023", "211.23"), ("wastewater-cannabis", "2024", "<LOD")]
    assert conv.skipped == {"other period": 1, "empty value, not marked below LOQ": 1,
                            "substance ketamine": 1}
    with pytest.raises(euda.EudaError, match="Did you mean: Testby \\(2\\)"):
        euda.convert(euda.read(src), "Testby")


@needs_euda
def test_real_euda_site_imports_with_lod_kept(city):
    site = "Stockholm (2)"
    with EUDA.open(encoding="utf-8", newline="") as fh:
        source = [r for r in csv.DictReader(fh) if r["city"] == site
                  and r["period"] == "weekly mean"
                  and r["substance"].lower() in euda.SUBSTANCES]
    assert source, "the site has weekly means"
    out, _err = _run("import-euda", str(EUDA), "--city", city.slug, "--site", site)
    assert f"{len(source)} rows: {len(source)} new" in out
    assert "EUDA (EMCDDA) and SCORE" in out
    stored = Measurement.objects.filter(indicator__city=city)
    assert stored.count() == len(source)
    for r in source:
        m = stored.get(indicator__slug=euda.SUBSTANCES[r["substance"].lower()],
                       period_start__year=int(r["year"]))
        raw = r["value_mg_per_1000_inh_day"]
        if raw:
            assert (m.value, m.below_lod) == (pytest.approx(float(raw)), False)
        else:
            assert (m.value, m.below_lod) == (None, True)
        assert m.source.startswith("EUDA (EMCDDA) and SCORE")
    out, _err = _run("import-euda", str(EUDA), "--city", city.slug, "--site", site)
    assert "0 new, 0 updated" in out


@needs_euda
def test_real_euda_below_loq_rows_stay_below_lod(city):
    """A site with below-LOQ cells: every one is stored below the limit, none as a zero."""
    with EUDA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    counts: dict[str, int] = {}
    for r in rows:
        if (r["period"] == "weekly mean" and r["substance"].lower() in euda.SUBSTANCES
                and not r["value_mg_per_1000_inh_day"] and r["note"].startswith("below LOQ")):
            counts[r["city"]] = counts.get(r["city"], 0) + 1
    site = max(sorted(counts), key=counts.get)
    conv = euda.convert(rows, site)
    _run("import-euda", str(EUDA), "--city", city.slug, "--site", site)
    stored = Measurement.objects.filter(indicator__city=city)
    assert stored.count() == len(conv.rows)
    assert stored.filter(below_lod=True).count() == counts[site] >= 1
    assert not stored.filter(value=0).exists()      # the source writes no literal zeros

"""The catalogue, the CSV import (errors, atomicity, idempotency, below-LOD values) and
the measurement service's permissions."""

from __future__ import annotations

from datetime import date

import pytest

from drugscene.audit.models import AuditEntry
from drugscene.core.errors import PermissionDenied, ValidationFailed
from drugscene.indicators import selectors
from drugscene.indicators.models import Measurement
from drugscene.indicators.services import (
    ImportFailed,
    MeasurementInput,
    ensure_default_indicators,
    import_csv,
    save_measurement,
)

pytestmark = pytest.mark.django_db

SLUGS = {
    "reports-drug", "reports-drugs", "reports-open_sale", "reports-open_use",
    "reports-drug_litter", "reports-stash_found", "reports-overdose",
    "survey-avoid-places", "survey-unsafe-night", "wastewater-cocaine",
    "wastewater-amphetamine", "wastewater-methamphetamine", "wastewater-mdma",
    "wastewater-cannabis", "overdose-deaths", "syringe-finds", "needle-container-collections",
    "consumption-room-visits", "treatment-demand", "police-drug-offences",
}
HEADER = "indicator,area,period,value,unit,source\n"
WW = "mg/1000 inhabitants/day"


def test_catalogue_has_the_agreed_slugs_and_is_idempotent(world, catalogue):
    assert set(catalogue) == SLUGS
    ensure_default_indicators(world.city)
    assert world.city.indicators.count() == len(SLUGS)
    for ind in catalogue.values():
        assert ind.unit and ind.source and ind.caveat, ind.slug
    assert catalogue["reports-drug"].computed == "reports"
    assert catalogue["reports-drug"].category is None
    assert catalogue["reports-open_sale"].category.slug == "open_sale"
    assert catalogue["wastewater-mdma"].unit == WW
    assert catalogue["wastewater-mdma"].frequency == "week"
    assert catalogue["survey-avoid-places"].unit == "%"
    assert catalogue["survey-avoid-places"].by_gender
    assert "police activity" in catalogue["police-drug-offences"].caveat
    # a city's own change is kept
    ind = catalogue["syringe-finds"]
    ind.unit = "pieces"
    ind.save()
    ensure_default_indicators(world.city)
    ind.refresh_from_db()
    assert ind.unit == "pieces"


def test_names_and_caveats_are_translated_at_display(catalogue):
    from django.utils import translation

    ind = catalogue["overdose-deaths"]
    with translation.override("en"):
        assert ind.label == "Drug-induced deaths"
    assert ind.name == "Drug-induced deaths"   # stored as the message id


def _import(world, text, user="municipality_coordinator"):
    return import_csv(world.viewer(user), world.city, text.encode("utf-8"))


def test_import_reads_every_period_form_and_value(world, catalogue):
    text = HEADER + "\n".join([
        f"wastewater-cocaine,,2025-W07,412.5,{WW},Lab",
        f"wastewater-cocaine,testby,2025-W08,\"398,2\",{WW},Lab",
        f"wastewater-cannabis,,2025-W07,<LOD,{WW},Lab",
        f"wastewater-cannabis,,2025-W08,<0.8,{WW},Lab",
        "syringe-finds,west,2025-03,14,syringes,Gatukontoret",
        "syringe-finds,east,2025-03-01/2025-03-31,3,syringes,",
        "overdose-deaths,,2025-Q1,2,deaths,Register",
        "survey-avoid-places,,2025,31.5,%,Survey",
        "consumption-room-visits,,2025-03-01,25,visits,Room",
    ]) + "\n"
    result = _import(world, text)
    assert (result.rows, result.created, result.updated, result.unchanged) == (9, 9, 0, 0)
    w7 = Measurement.objects.get(indicator=catalogue["wastewater-cocaine"],
                                 period_start=date(2025, 2, 10))
    assert (w7.period_end, w7.value, w7.area) == (date(2025, 2, 16), 412.5, None)
    assert Measurement.objects.get(indicator=catalogue["wastewater-cocaine"],
                                   period_start=date(2025, 2, 17)).value == 398.2
    east = Measurement.objects.get(indicator=catalogue["syringe-finds"], area__slug="east")
    assert east.source == catalogue["syringe-finds"].source   # blank source: the default
    assert (east.period_start, east.period_end) == (date(2025, 3, 1), date(2025, 3, 31))
    assert AuditEntry.objects.filter(object_type="indicators.measurement",
                                     action="create").count() == 9


def test_below_lod_round_trips_and_is_never_zero(world, catalogue):
    _import(world, HEADER + f"wastewater-cannabis,,2025-W07,<LOD,{WW},Lab\n"
                   f"wastewater-cannabis,,2025-W08,<0.8,{WW},Lab\n"
                   f"wastewater-cannabis,,2025-W09,0,{WW},Lab\n")
    rows = list(Measurement.objects.filter(indicator=catalogue["wastewater-cannabis"])
                .order_by("period_start").values_list("value", "below_lod", "lod"))
    assert rows == [(None, True, None), (None, True, 0.8), (0.0, False, None)]
    points = selectors.series(catalogue["wastewater-cannabis"])
    assert [(p.value, p.below_lod, p.lod) for p in points] == rows
    assert selectors.latest(catalogue["wastewater-cannabis"]).value == 0.0


def test_bad_file_names_every_line_and_imports_nothing(world, catalogue):
    good = [f"wastewater-cocaine,,2025-W{w:02d},412.5,{WW},Lab\n" for w in range(1, 14)]
    bad = [
        f"wastewater-cocaine,,2025-02-30,410,{WW},Lab\n",               # line 15: bad date
        "syringe-finds,nowhere,2025-03,4,syringes,x\n",                  # 16: unknown district
        "syringe-finds,west,2025-04,4,pieces,x\n",                       # 17: wrong unit
        "no-such-indicator,,2025,1,x,x\n",                               # 18
        "reports-drug,,2025-03,12,reports,x\n",                          # 19: computed
        "survey-avoid-places,,2025,120,%,x\n",                           # 20: > 100 %
        "syringe-finds,west,2025-05,abc,syringes,x\n",                   # 21
        "syringe-finds,west,2025-05,-3,syringes,x\n",                    # 22
        "syringe-finds,west,2025-06,3,syringes\n",                       # 23: a cell short
    ]
    with pytest.raises(ImportFailed) as exc:
        _import(world, HEADER + "".join(good + bad))
    lines = exc.value.lines
    expected = [(15, "period"), (16, "area"), (17, "unit"), (18, "indicator"),
                (19, "indicator"), (20, "value"), (21, "value"), (22, "value"), (23, "file")]
    assert [line.split(":")[:2] for line in lines] == [[f"line {n}", f" {c}"]
                                                       for n, c in expected]
    assert lines[2].startswith("line 17: unit: The unit is “pieces” but the indicator is "
                               "measured in “syringes”.")
    assert Measurement.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="indicators.measurement").exists()


def test_bad_date_on_line_17_is_named(world, catalogue):
    body = "".join(f"syringe-finds,west,2024-{m:02d},{m},syringes,x\n" for m in range(1, 13))
    body += "".join(f"syringe-finds,east,2024-{m:02d},{m},syringes,x\n" for m in range(1, 4))
    body += "syringe-finds,east,2024-13,5,syringes,x\n"
    assert body.count("\n") == 16
    with pytest.raises(ImportFailed) as exc:
        _import(world, HEADER + body)
    assert exc.value.lines == [
        "line 17: period: “2024-13” is not a period: write 2025, 2025-Q1, 2025-03, "
        "2025-W07, 2025-03-01 or 2025-03-01/2025-03-31."]
    assert Measurement.objects.count() == 0


def test_header_problems(world, catalogue):
    with pytest.raises(ImportFailed) as exc:
        _import(world, "indicator,period,value,unit,colour\nx,2025,1,%,red\n")
    text = "\n".join(exc.value.lines)
    assert "line 1: area: the column is missing." in text
    assert "line 1: source: the column is missing." in text
    assert "line 1: colour: unknown column" in text
    with pytest.raises(ImportFailed):
        _import(world, "")
    with pytest.raises(ImportFailed) as exc:
        import_csv(world.viewer("municipality_coordinator"), world.city, b"\xff\xfe\x00")
    assert "UTF-8" in exc.value.lines[0]


def test_duplicate_cells_in_a_file(world, catalogue):
    with pytest.raises(ImportFailed) as exc:
        _import(world, HEADER + "syringe-finds,west,2025-03,4,syringes,x\n"
                                "syringe-finds,west,2025-03-01/2025-03-31,5,syringes,x\n")
    assert exc.value.lines == ["line 3: period: the same indicator, area and period as "
                               "line 2."]


def test_reimport_changes_nothing_and_a_new_value_updates(world, catalogue):
    text = HEADER + "\n".join([
        "syringe-finds,,2025-03,4,syringes,x",       # city level: area NULL in the cell
        "syringe-finds,west,2025-03,4,syringes,x",
        f"wastewater-mdma,,2025-W07,<LOD,{WW},Lab",
    ]) + "\n"
    first = _import(world, text)
    assert first.created == 3
    audits = AuditEntry.objects.count()
    again = _import(world, text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Measurement.objects.count() == 3
    assert AuditEntry.objects.count() == audits
    changed = _import(world, text.replace("west,2025-03,4", "west,2025-03,6"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert Measurement.objects.get(area__slug="west").value == 6


def test_semicolon_files_and_optional_columns(world, catalogue):
    text = ("indicator;area;period;value;unit;source;ci_low;ci_high;denominator;gender;"
            "age_band;note\n"
            "survey-avoid-places;west;2025;31,5;%;Enkät;27,1;35,9;812;female;18-29;"
            "Ring 070-123 45 67 för frågor\n")
    _import(world, text)
    m = Measurement.objects.get()
    assert (m.value, m.ci_low, m.ci_high, m.denominator, m.gender, m.age_band) == \
        (31.5, 27.1, 35.9, 812.0, "female", "18-29")
    assert "070" not in m.note        # free text scrubbed


@pytest.mark.parametrize(("row", "column"), [
    ("survey-avoid-places,,2025,30,%,x,20,25,,,", "ci_low"),       # value outside the CI
    ("survey-avoid-places,,2025,30,%,x,20,,,,", "ci_high"),        # one end only
    ("syringe-finds,,2025-03,3,syringes,x,,,,female,", "gender"),  # no gender breakdown
    ("survey-avoid-places,,2025,30,%,x,,,,,teen", "age_band"),
    ("survey-avoid-places,,2025,30,%,x,,,0,,", "denominator"),
])
def test_optional_column_rules(world, catalogue, row, column):
    header = "indicator,area,period,value,unit,source,ci_low,ci_high,denominator,gender,age_band\n"
    with pytest.raises(ImportFailed) as exc:
        _import(world, header + row + "\n")
    assert exc.value.lines[0].startswith(f"line 2: {column}:"), exc.value.lines


@pytest.mark.parametrize(("role", "allowed"), [
    ("viewer", False), ("reporter", False), ("analyst", True), ("coordinator", True),
    ("admin", True)])
def test_who_may_enter_measurements(world, catalogue, role, allowed):
    ind = catalogue["syringe-finds"]
    data = MeasurementInput(period="2025-03", value="4")
    if allowed:
        assert save_measurement(world.viewer(f"police_{role}"), ind, data) == "created"
        with_csv = _import(world, HEADER + "syringe-finds,,2025-04,4,syringes,x\n",
                           user=f"police_{role}")
        assert with_csv.created == 1
    else:
        with pytest.raises(PermissionDenied):
            save_measurement(world.viewer(f"police_{role}"), ind, data)
        with pytest.raises(PermissionDenied):
            _import(world, HEADER + "syringe-finds,,2025-04,4,syringes,x\n",
                    user=f"police_{role}")
        assert Measurement.objects.count() == 0


def test_form_input_names_fields(world, catalogue):
    with pytest.raises(ValidationFailed) as exc:
        save_measurement(world.viewer("municipality_analyst"), catalogue["syringe-finds"],
                         MeasurementInput(period="march", value="x", area="south"))
    assert set(exc.value.errors) == {"period", "value", "area"}

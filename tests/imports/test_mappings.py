"""Mapping files: CRS conversion, value maps, filters, month intervals, hashed ids, GeoJSON
and GeoPackage input."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod, Transformer

from drugscene.imports.mapping import MappingError, load_mapping
from drugscene.imports.models import ImportRun
from drugscene.reports.models import Report
from tests.imports.conftest import run_import

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "drugscene" / "imports" / "mappings"
ARGS = ("--city", "testby", "--source", "Housing")
GEOD = Geod(ellps="WGS84")


def metres(lon1, lat1, lon2, lat2) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def test_every_shipped_mapping_loads() -> None:
    names = sorted(p.name for p in MAPPINGS.glob("*.toml"))
    assert names == ["housing-sv.toml", "police-uk-normalised.toml", "police-uk.toml",
                     "signalen.toml"]
    for p in MAPPINGS.glob("*.toml"):
        load_mapping(p)


def test_housing_log_in_sweref99_tm_windows_1252_with_decimal_commas(world, tmp_path) -> None:
    # a known point, converted to SWEREF 99 TM by pyproj here (independent of the import)
    lon, lat = 16.8957, 59.0021
    e, n = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(lon, lat)
    e_txt, n_txt = f"{e:.3f}".replace(".", ","), f"{n:.3f}".replace(".", ",")
    text = ("Ärendenr;Datum och tid;Händelsetyp;Beskrivning;E (SWEREF 99 TM);"
            "N (SWEREF 99 TM);Inne/ute\r\n"
            f"2025-0042;2025-03-14 22:40;Sprutor/kanyler;Två sprutor i trapphus B;{e_txt};"
            f"{n_txt};Inne\r\n"
            f"2025-0043;2025-03-15;Klotter;Klotter på garagedörr;{e_txt};{n_txt};\r\n")
    path = tmp_path / "logg.csv"
    path.write_bytes(text.encode("cp1252"))
    r = run_import(path, *ARGS, "--mapping", str(MAPPINGS / "housing-sv.toml"))
    assert r.code == 0, r.err
    a = Report.objects.get(external_id="hb:2025-0042")
    assert metres(a.lon, a.lat, lon, lat) < 1.0
    assert a.category.slug == "drug_litter"
    assert a.setting == "indoor"
    assert a.text == "Två sprutor i trapphus B"
    assert a.occurred_from == datetime(2025, 3, 14, 21, 40, tzinfo=UTC)  # CET = UTC+1
    b = Report.objects.get(external_id="hb:2025-0043")
    assert b.category.slug == "graffiti" and b.setting == "unknown"


def test_rd_new_and_british_national_grid_are_converted(world, write, tmp_path) -> None:
    lon, lat = 16.905, 58.995
    for crs in ("EPSG:28992", "EPSG:27700"):
        x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
        mapping = tmp_path / f"{crs[5:]}.toml"
        mapping.write_text(
            '[columns]\nid = "nr"\nx = "x"\ny = "y"\ntime = "t"\ncategory = "c"\n'
            f'[coordinates]\ncrs = "{crs}"\n[external_id]\nprefix = "{crs}:"\n',
            encoding="utf-8")
        path = write(f"{crs[5:]}.csv", f"nr,x,y,t,c\n1,{x:.3f},{y:.3f},2025-03-01,open_use\n")
        r = run_import(path, *ARGS, "--mapping", str(mapping))
        assert r.code == 0, r.err
        rep = Report.objects.get(external_id=f"{crs}:1")
        assert metres(rep.lon, rep.lat, lon, lat) < 1.0


POLICE_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                 "LSOA code,LSOA name,Crime type,Last outcome category,Context\n")


def police_row(crime_id: str, month: str, lon: float, lat: float, kind: str,
               where: str = "On or near Torget") -> str:
    return (f"{crime_id},{month},Merseyside Police,Merseyside Police,{lon},{lat},{where},"
            f"E01000001,Testby 001A,{kind},Under investigation,\n")


def test_police_uk_street_csv(world, write) -> None:
    cid = "a" * 64
    path = write("2018-10-merseyside-street.csv", POLICE_HEADER
                 + police_row(cid, "2018-10", 16.89, 59.0, "Drugs")
                 + police_row("", "2018-10", 16.91, 59.0, "Anti-social behaviour")
                 + police_row("", "2018-10", 16.905, 59.001, "Drugs")
                 + police_row("", "2018-10", 16.905, 59.001, "Drugs")
                 + police_row("b" * 64, "2018-10", 16.90, 59.0, "Burglary"))
    r = run_import(path, "--city", "testby", "--source", "Police",
                   "--mapping", str(MAPPINGS / "police-uk.toml"))
    assert r.code == 0, r.err
    assert "2 left out by the mapping's filter" in r.out
    assert "Open Government Licence v3.0" in r.out
    reports = list(Report.objects.order_by("external_id"))
    assert len(reports) == 3
    assert all(x.category.slug == "drugs" and x.review_status == "confirmed" for x in reports)
    assert reports[0].external_id == f"policeuk:{cid}"
    hashed = [x.external_id for x in reports[1:]]
    assert all(h.startswith("policeuk:h:") for h in hashed)
    assert hashed[0].rsplit(":", 1)[0] == hashed[1].rsplit(":", 1)[0]  # same row, twice
    # October 2018 in London: BST (UTC+1) until the 28th, then GMT
    first = reports[0]
    assert first.occurred_from == datetime(2018, 9, 30, 23, 0, tzinfo=UTC)
    assert first.occurred_to == datetime(2018, 10, 31, 23, 59, 59, tzinfo=UTC)
    assert first.text == "On or near Torget"
    run = ImportRun.objects.get()
    assert "Open Government Licence" in run.attribution
    # the identical rows keep their ids on re-import: nothing new
    assert "Imported 0 reports" in run_import(
        path, "--city", "testby", "--source", "Police",
        "--mapping", str(MAPPINGS / "police-uk.toml")).out


def test_template_ids_and_constants(world, write, tmp_path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[columns]\nx = "lon"\ny = "lat"\ntime = "when"\n'
        '[constants]\ncategory = "open_sale"\nvisibility = "restricted"\n'
        'restricted_to = ["police", "social"]\nsetting = "outdoor"\naccuracy_m = 50\n'
        '[external_id]\ntemplate = "{year}/{nr}"\n', encoding="utf-8")
    path = write("c.csv", "year,nr,lon,lat,when\n2025,7,16.89,59.0,2025-03-01T10:00:00Z\n"
                 "2024,7,16.89,59.0,2024-03-01T10:00:00Z\n")
    r = run_import(path, *ARGS, "--mapping", str(mapping))
    assert r.code == 0, r.err
    rep = Report.objects.get(external_id="2025/7")
    assert (rep.category.slug, rep.visibility, rep.setting, rep.accuracy_m) == (
        "open_sale", "restricted", "outdoor", 50)
    assert set(rep.restricted_to.values_list("slug", flat=True)) == {"police", "social"}
    assert Report.objects.filter(external_id="2024/7").exists()


@pytest.mark.parametrize(("toml", "message"), [
    ('[columns]\nid="a"\ntime="t"\ncategory="c"\nwhere="w"\n', "[columns]: unknown key 'where'"),
    ('[columns]\nid="a"\ntime="t"\ncategory="c"\n[coordinates]\ncrs="EPSG:999999"\n',
     "[coordinates] crs: unknown coordinate reference system"),
    ('[columns]\nid="a"\ncategory="c"\n', "[columns] time: required"),
    ('[columns]\ntime="t"\ncategory="c"\n', "no external id"),
    ('[columns]\nid="a"\ntime="t"\ncategory="c"\n[time]\nprecision="week"\n',
     "[time] precision: one of"),
    ('[columns\n', "not valid TOML"),
])
def test_bad_mapping_is_named(world, write, tmp_path, toml, message) -> None:
    mapping = tmp_path / "bad.toml"
    mapping.write_text(toml, encoding="utf-8")
    path = write("x.csv", "id,lon,lat,time,category\n")
    r = run_import(path, *ARGS, "--mapping", str(mapping))
    assert r.code == 2
    assert message in r.err
    with pytest.raises(MappingError):
        load_mapping(mapping)


def test_geojson_features(world, tmp_path) -> None:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.89, 59.0]},
         "properties": {"id": "g1", "time": "2025-03-01T10:00:00Z", "category": "open_use"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.91, 59.005]},
         "properties": {"id": "g2", "time": "2025-03-02T10:00:00Z", "category": "overdose",
                        "text": "Ambulans"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10.0, 59.0]},
         "properties": {"id": "g3", "time": "2025-03-02T10:00:00Z", "category": "overdose"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.91, 59.005]},
         "properties": {"id": "g4", "time": "soon", "category": "overdose"}},
    ]
    path = tmp_path / "r.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    r = run_import(path, *ARGS)
    assert r.code == 1, r.err
    lines = [ln for ln in r.err.splitlines() if ln.startswith("feature ")]
    assert lines == [
        "feature 3: geometry: the position (10.000000, 59.000000) lies outside Testby",
        "feature 4: time: 'soon' is not an ISO 8601 time",
    ]
    assert Report.objects.count() == 0
    r = run_import(path, *ARGS, "--skip-invalid")
    assert r.code == 0, r.err
    assert sorted(Report.objects.values_list("external_id", flat=True)) == ["g1", "g2"]
    g2 = Report.objects.get(external_id="g2")
    assert (g2.lon, g2.lat, g2.text) == (16.91, 59.005, "Ambulans")
    assert (tmp_path / "r.rejects.csv").exists()


def test_geopackage_in_sweref99_tm(world, tmp_path) -> None:
    import shapely
    from pyogrio.raw import write

    pts = [(16.89, 59.0), (16.915, 59.004)]
    to_tm = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    xy = [to_tm.transform(lon, lat) for lon, lat in pts]
    geoms = shapely.to_wkb(shapely.points(np.array(xy)))
    path = tmp_path / "logg.gpkg"
    write(str(path), geoms, [np.array(["p1", "p2"], dtype=object),
                             np.array(["2025-03-01T10:00:00+00:00", "2025-03-02T10:00:00+00:00"],
                                      dtype=object),
                             np.array(["open_use", "open_sale"], dtype=object)],
          fields=["id", "time", "category"], geometry_type="Point", crs="EPSG:3006",
          driver="GPKG", layer="reports")
    r = run_import(path, *ARGS)
    assert r.code == 0, r.err
    for ext, (lon, lat) in zip(("p1", "p2"), pts, strict=True):
        rep = Report.objects.get(external_id=ext)
        assert metres(rep.lon, rep.lat, lon, lat) < 1.0
    assert Report.objects.get(external_id="p2").category.slug == "open_sale"
    assert not math.isnan(Report.objects.get(external_id="p1").lon)

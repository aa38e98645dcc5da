"""Reading points: the fast path, and clear errors naming the bad lines."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from drugscene.analysis import area as study
from drugscene.analysis.points import PointsError, read_points


def write(tmp_path, text: str, name: str = "p.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_extra_columns_and_categories(tmp_path) -> None:
    p = write(tmp_path, "id,lon,lat,time,category\n1,16.9,59.0,2026-01-01,open_sale\n"
                        "2,16.91,59.01,2026-01-01T10:30:00,graffiti\n")
    pts = read_points(p)
    assert len(pts) == 2
    assert pts.t.tolist() == [1767225600, 1767263400]
    assert pts.category.tolist() == ["open_sale", "graffiti"]


def test_offsets_and_z_are_honoured(tmp_path) -> None:
    p = write(tmp_path, "lon,lat,time\n16.9,59,2026-01-01T10:00:00Z\n"
                        "16.9,59,2026-01-01T11:00:00+01:00\n")
    assert read_points(p).t.tolist() == [1767261600, 1767261600]


def test_gzip(tmp_path) -> None:
    path = tmp_path / "p.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("lon,lat,time\n-3.0,53.4,2019-01-01\n")
    assert read_points(path).lon.tolist() == [-3.0]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("lon,lat\n1,2\n", "lacks column(s) time"),
        ("lon,lat,time\n16.9,north,2026-01-01\n16.9,59,2026-01-01\n", "line 2"),
        ("lon,lat,time\n16.9,59,2026-01-01\n200,59,2026-01-01\n", "line 3: coordinates out"),
        ("lon,lat,time\n16.9,nan,2026-01-01\n", "line 2: coordinates out of range"),
        ("lon,lat,time\n16.9,59,yesterday\n", "line 2: time 'yesterday'"),
        ("lon,lat,time\n", "No points"),
        ("", "is empty"),
    ],
)
def test_bad_input_names_the_problem(tmp_path, text: str, needle: str) -> None:
    with pytest.raises(PointsError) as exc:
        read_points(write(tmp_path, text))
    assert needle in str(exc.value)


def test_geojson_points(tmp_path) -> None:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.9, 59.0]},
         "properties": {"time": "2026-02-01T00:00:00Z", "category": "open_use"}}]}
    pts = read_points(write(tmp_path, json.dumps(fc), "p.geojson"))
    assert pts.category.tolist() == ["open_use"] and pts.t.tolist() == [1769904000]
    bad = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None,
                                                      "properties": {}}]}
    with pytest.raises(PointsError, match="feature 1"):
        read_points(write(tmp_path, json.dumps(bad), "b.geojson"))


def test_unknown_extension_and_missing_file(tmp_path) -> None:
    with pytest.raises(PointsError, match="use a .csv"):
        read_points(write(tmp_path, "x", "p.xlsx"))
    with pytest.raises(PointsError, match="No such file"):
        read_points(tmp_path / "nope.csv")


def test_study_area_from_points_is_padded(tmp_path) -> None:
    pts = read_points(write(tmp_path, "lon,lat,time\n16.9,59,2026-01-01\n16.95,59.02,2026-01-01\n"))
    region = study.from_points(pts)
    assert region.kind == "points' extent"
    assert region.contains(np.array([16.9, 16.95]), np.array([59.0, 59.02])).all()
    minx, miny, _, _ = region.geometry.bounds
    assert 16.9 - minx == pytest.approx(100 / (111_320 * np.cos(np.radians(59.01))), rel=1e-3)

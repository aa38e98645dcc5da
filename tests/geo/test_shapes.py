from __future__ import annotations

import numpy as np

from drugscene.geo.shapes import AreaIndex, geojson_bounds, polygon_geojson, valid_lon_lat


def test_area_index_assigns_points_to_the_containing_polygon() -> None:
    west = polygon_geojson([(0, 0), (1, 0), (1, 1), (0, 1)])
    east = polygon_geojson([(1, 0), (2, 0), (2, 1), (1, 1)])
    idx = AreaIndex.from_geojson([("w", west), ("e", east)])
    got = idx.lookup(np.array([0.5, 1.5, 3.0]), np.array([0.5, 0.5, 0.5]))
    assert got == ["w", "e", None]


def test_bounds_and_ring_closing() -> None:
    g = polygon_geojson([(0, 0), (2, 0), (2, 1)])
    assert g["coordinates"][0][0] == g["coordinates"][0][-1]
    assert geojson_bounds(g) == (0.0, 0.0, 2.0, 1.0)


def test_valid_lon_lat() -> None:
    assert valid_lon_lat(16.9, 59.0)
    assert not valid_lon_lat(181, 0)
    assert not valid_lon_lat(0, -91)
    assert not valid_lon_lat(float("nan"), 0)

"""H3 cells as signed 64-bit integers, with a vectorised parent operation.

An H3 index (https://h3geo.org/docs/core-library/h3Indexing) keeps its resolution in
bits 52–55 and one 3-bit digit per resolution 1..15 below bit 45, digit ``r`` at bit
``3 * (15 - r)``. Digits finer than the cell's resolution are all ones (7). The parent at
resolution ``r`` is therefore the same integer with the resolution field set to ``r`` and
digits ``r+1 .. 15`` set to 7 — plain bit arithmetic that numpy and SQL can both do.
The top bit is always 0, so an index fits a signed BIGINT in SQLite and PostgreSQL.
"""

from __future__ import annotations

import h3
import numpy as np

STORE_RESOLUTION = 12
_RES_SHIFT = 52
_RES_MASK = 0xF << _RES_SHIFT


def digit_mask(resolution: int) -> int:
    """Bits of the digits finer than ``resolution`` (all set)."""
    if not 0 <= resolution <= 15:
        raise ValueError(f"H3 resolution must be 0..15, got {resolution}")
    return (1 << (3 * (15 - resolution))) - 1


def parent_parts(resolution: int) -> tuple[int, int]:
    """``(keep_mask, set_bits)`` such that ``parent = (cell & keep_mask) | set_bits``.

    Valid for cells finer than or equal to ``resolution``.
    """
    low = digit_mask(resolution)
    keep = ~(_RES_MASK | low) & 0x7FFF_FFFF_FFFF_FFFF
    return keep, (resolution << _RES_SHIFT) | low


def parents(cells: np.ndarray, resolution: int) -> np.ndarray:
    """Vectorised parent of integer H3 cells (int64 array)."""
    keep, bits = parent_parts(resolution)
    cells = np.asarray(cells, dtype=np.int64)
    return (cells & np.int64(keep)) | np.int64(bits)


def cell_of(lon: float, lat: float, resolution: int = STORE_RESOLUTION) -> int:
    return h3.str_to_int(h3.latlng_to_cell(lat, lon, resolution))


def cells_of(lon: np.ndarray, lat: np.ndarray, resolution: int = STORE_RESOLUTION) -> np.ndarray:
    """Cells for many points (h3 has no vectorised call; this is a tight loop in C calls)."""
    to_cell = h3.latlng_to_cell
    to_int = h3.str_to_int
    return np.fromiter(
        (to_int(to_cell(y, x, resolution)) for x, y in zip(lon.tolist(), lat.tolist(),
                                                             strict=True)),
        dtype=np.int64, count=len(lon),
    )


def boundary_lonlat(cell: int) -> list[list[float]]:
    """Closed lon/lat ring of a cell, GeoJSON order."""
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(h3.int_to_str(cell))]
    ring.append(ring[0])
    return ring


def resolution_for_zoom(zoom: int) -> int:
    """A hexagon size that reads well at a web-map zoom level (about 20–40 px across)."""
    table = {10: 7, 11: 7, 12: 8, 13: 9, 14: 9, 15: 10, 16: 11}
    if zoom <= 9:
        return 6
    return table.get(zoom, 11)


def hexagon_collection(counts: list[tuple[int, int]], resolution: int) -> dict:
    """GeoJSON FeatureCollection of ``(cell, count)`` pairs as hexagon polygons."""
    return {
        "type": "FeatureCollection",
        "resolution": resolution,
        "total": sum(n for _, n in counts),
        "max": max((n for _, n in counts), default=0),
        "features": [
            {"type": "Feature", "id": h3.int_to_str(cell),
             "geometry": {"type": "Polygon", "coordinates": [boundary_lonlat(cell)]},
             "properties": {"count": n}}
            for cell, n in counts
        ],
    }

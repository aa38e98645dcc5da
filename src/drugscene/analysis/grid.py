"""Grids for counting events: H3 cells, square cells in a metric CRS, and a space–time cube.

Every grid covers a study area (:class:`~drugscene.analysis.area.StudyArea`) and counts
**zero cells**: a cell of the area where nothing was reported is an observation, not a gap.
Events outside the study area are never counted; the callers report how many there were.

Locating points in H3 cells fast
--------------------------------
h3-py has no vectorised ``latlng_to_cell``; one Python-level call per point costs about
0.65 s per million points. H3 defines its cells as a regular hexagonal lattice in the
gnomonic projection centred on each face of an icosahedron, with a cell's index fixed by
its lattice position on its face (Sahr, White & Kimerling 2003; Uber H3 documentation,
https://h3geo.org/docs/core-library/overview). For the (usually one) faces a study area
lies on, :class:`_Locator` therefore projects the points with numpy, rounds them to the
nearest lattice point, and looks the lattice point up in a table of the grid's cells. It
learns the lattice from h3 itself (cell centres and one cell's neighbours), checks that
every cell sits on it to 1e-3 lattice units, and hands every point it cannot place with
certainty to h3 (a point on another face, within 1e-9 of a cell edge, or rounding to a
lattice point the table does not know). The result equals ``h3.latlng_to_cell`` point by
point; ``tests/analysis/test_grid.py`` checks this against h3 on random and edge points.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, Any

import h3
import numpy as np
import shapely
from h3.api import basic_int as h3i

try:  # the compiled function behind h3.api.basic_int.cell_to_latlng, minus a type check
    from h3._cy import cell_to_latlng as _cell_to_latlng
except ImportError:  # pragma: no cover - h3-py internals moved
    _cell_to_latlng = h3i.cell_to_latlng

from drugscene.analysis.area import StudyArea
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import Points

if TYPE_CHECKING:
    import pyproj

__all__ = [
    "Cube",
    "H3Grid",
    "SquareGrid",
    "h3_grid",
    "inside_area",
    "parse_step",
    "space_time_cube",
    "square_grid",
]

DAY = 86_400
#: most cells a grid may have (an H3 grid at too fine a resolution would exhaust memory)
MAX_CELLS = 5_000_000
_CHUNK = 1 << 18
_RES_SHIFT = 52


# --- helpers ------------------------------------------------------------------------------


def inside_area(area: StudyArea, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points in the study area or on its boundary (same as ``StudyArea.contains``).

    One prepared ``intersects_xy`` call: interior and boundary points intersect a polygon.
    """
    geom = area.geometry
    shapely.prepare(geom)
    return np.asarray(shapely.intersects_xy(geom, lon, lat), dtype=bool)


def _check_lonlat(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=np.float64).ravel()
    lat = np.asarray(lat, dtype=np.float64).ravel()
    if lon.shape != lat.shape:
        raise AnalysisError("lon and lat must have the same length.")
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise AnalysisError("Some coordinates are missing (NaN) or infinite; "
                            "remove those points before the analysis.")
    return lon, lat


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting (numpy 2's hash-based ``unique`` is slow on large int64)."""
    s = np.sort(np.asarray(a).ravel())
    if s.size < 2:
        return s
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def cell_resolution(cells: np.ndarray) -> np.ndarray:
    """Resolution field of integer H3 cells (bits 52–55)."""
    return (np.asarray(cells, dtype=np.int64) >> _RES_SHIFT) & 0xF


def h3_cells_of(lon: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    """Reference path: one ``h3.latlng_to_cell`` call per point (int64 cells)."""
    f = h3i.latlng_to_cell
    return np.fromiter((f(y, x, resolution) for x, y in zip(lon.tolist(), lat.tolist(),
                                                             strict=True)),
                       dtype=np.int64, count=len(lon))


def cell_centres(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(lon, lat)`` of the centres of integer H3 cells (one h3 call per cell)."""
    flat = np.fromiter(chain.from_iterable(map(_cell_to_latlng, np.asarray(cells).tolist())),
                       dtype=np.float64, count=2 * len(cells))
    return flat[1::2].copy(), flat[0::2].copy()


Vec = tuple[np.ndarray, np.ndarray, np.ndarray]


def _unit(lon: np.ndarray, lat: np.ndarray) -> Vec:
    """Unit vectors on the sphere for lon/lat in degrees, as three 1-D arrays.

    (Separate components: numpy's ``(n, 3) @ (3, 3)`` is several times slower than the
    same arithmetic on 1-D arrays.)
    """
    lo, la = np.radians(lon), np.radians(lat)
    cl = np.cos(la)
    return cl * np.cos(lo), cl * np.sin(lo), np.sin(la)


def _dot(x: Vec, a: np.ndarray) -> np.ndarray:
    return x[0] * a[0] + x[1] * a[1] + x[2] * a[2]


def _stack(x: tuple[np.ndarray, ...]) -> np.ndarray:
    return np.column_stack(x)


# --- the icosahedron of H3, learnt from h3 ------------------------------------------------


@dataclass(frozen=True)
class _Icosahedron:
    vertices: np.ndarray  # (12, 3) unit vectors: the centres of the 12 res-0 pentagons
    faces: np.ndarray  # (20, 3) vertex numbers
    centres: np.ndarray  # (20, 3) unit face centres
    adjacent: np.ndarray  # (20, 3) the faces sharing an edge with each face


@lru_cache(maxsize=1)
def _icosahedron() -> _Icosahedron:
    pent = np.array(h3i.get_pentagons(0), dtype=np.int64)
    lon, lat = cell_centres(pent)
    v = _stack(_unit(lon, lat))
    dots = v @ v.T
    edge = (dots > 0.3) & (dots < 0.99)  # neighbours: cos = 1/sqrt(5) = 0.447
    faces = [(i, j, k) for i in range(12) for j in range(i + 1, 12) for k in range(j + 1, 12)
             if edge[i, j] and edge[j, k] and edge[i, k]]
    if len(faces) != 20:  # pragma: no cover - h3's geometry is fixed
        raise RuntimeError("could not reconstruct the H3 icosahedron")
    f = np.array(faces)
    c = v[f].sum(axis=1)
    c /= np.linalg.norm(c, axis=1)[:, None]
    sets = [set(t) for t in faces]
    adj = np.array([[j for j in range(20) if j != i and len(sets[i] & sets[j]) == 2]
                    for i in range(20)])
    return _Icosahedron(v, f, c, adj)


# --- the lattice of one face --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Frame:
    """The hexagonal lattice of one icosahedron face in its gnomonic plane.

    Plane coordinates are ``(X·e1, X·e2) / X·c`` for a unit vector ``X`` and the face
    centre ``c``; lattice (axial) coordinates ``(q, r)`` satisfy
    ``plane = origin + q * u + r * v`` with ``u, v`` two neighbour steps 60° apart.
    """

    face: int
    c: np.ndarray
    e1: np.ndarray
    e2: np.ndarray
    rivals: np.ndarray  # (3, 3): c - c_adjacent; a point is on the face when all > 0
    origin: np.ndarray
    to_axial: np.ndarray  # (2, 2) plane offset -> (q, r)
    metric: np.ndarray  # (2, 2) Gram matrix of (u, v)
    spacing: float  # |u| in plane units
    triangle: np.ndarray  # (3, 2) the face's corners in the plane

    @classmethod
    def build(cls, face: int, probe: int) -> _Frame | None:
        ico = _icosahedron()
        c = ico.centres[face]
        a = np.array([0.0, 0.0, 1.0]) if abs(c[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
        e1 = a - (a @ c) * c
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(c, e1)
        rivals = c[None, :] - ico.centres[ico.adjacent[face]]
        frame = cls(face, c, e1, e2, rivals, np.zeros(2), np.eye(2), np.eye(2), 1.0,
                    np.zeros((3, 2)))
        ring = np.array([x for x in h3i.grid_disk(probe, 1) if x != probe], dtype=np.int64)
        if h3i.is_pentagon(probe) or ring.size != 6:
            return None
        plon, plat = cell_centres(np.array([probe], dtype=np.int64))
        p0 = _stack(frame.plane(_unit(plon, plat)))[0]
        rlon, rlat = cell_centres(ring)
        d = _stack(frame.plane(_unit(rlon, rlat))) - p0
        u = d[0]
        ang = np.degrees(np.arctan2(u[0] * d[:, 1] - u[1] * d[:, 0], d @ u))
        j = int(np.argmin(np.abs(ang - 60.0)))
        v = d[j]
        if abs(ang[j] - 60.0) > 0.5 or abs(np.linalg.norm(v) / np.linalg.norm(u) - 1) > 1e-3:
            return None
        basis = np.column_stack((u, v))  # plane offset = basis @ (q, r)
        corners = ico.vertices[ico.faces[face]]
        tri = _stack(frame.plane((corners[:, 0], corners[:, 1], corners[:, 2])))
        return cls(face, c, e1, e2, rivals, p0, np.linalg.inv(basis), basis.T @ basis,
                   float(np.linalg.norm(u)), tri)

    def plane(self, x: Vec) -> tuple[np.ndarray, np.ndarray]:
        w = _dot(x, self.c)
        return _dot(x, self.e1) / w, _dot(x, self.e2) / w

    def on_face(self, x: Vec, margin: float = 1e-12) -> np.ndarray:
        r = self.rivals
        return (_dot(x, r[0]) > margin) & (_dot(x, r[1]) > margin) & (_dot(x, r[2]) > margin)

    def axial(self, plane: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        px, py = plane[0] - self.origin[0], plane[1] - self.origin[1]
        m = self.to_axial
        return m[0, 0] * px + m[0, 1] * py, m[1, 0] * px + m[1, 1] * py

    def nearest(self, plane: tuple[np.ndarray, np.ndarray]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest lattice point ``(q, r)`` and whether it is unambiguous (no near tie).

        In a 60° basis the rhombus ``floor(q, r) + {0, 1}²`` splits into two equilateral
        triangles, so the nearest lattice point is one of its four corners.
        """
        aq, ar = self.axial(plane)
        fq, fr = np.floor(aq), np.floor(ar)
        dq, dr = aq - fq, ar - fr
        g = self.metric
        best = np.full(dq.shape, np.inf)
        second = np.full(dq.shape, np.inf)
        oq = np.zeros(dq.shape, dtype=np.int64)
        orr = np.zeros(dq.shape, dtype=np.int64)
        for cq, cr in ((0, 0), (1, 0), (0, 1), (1, 1)):
            x, y = dq - cq, dr - cr
            d2 = g[0, 0] * x * x + 2 * g[0, 1] * x * y + g[1, 1] * y * y
            better = d2 < best
            second = np.where(better, best, np.minimum(second, d2))
            best = np.where(better, d2, best)
            oq[better], orr[better] = cq, cr
        q = fq.astype(np.int64) + oq
        r = fr.astype(np.int64) + orr
        # a point within tol (plane units) of a cell edge is left to h3: float error here
        # is ~1e-16 per unit, far below tol even at resolution 15 (spacing ~1.6e-7)
        tol = 1e-9 * self.spacing + 1e-13
        clear = (second - best) > 2 * self.spacing * tol
        return q, r, clear

    def edge_distance(self, plane: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Signed distance (plane units, positive inside) to the face triangle's nearest edge."""
        t = self.triangle
        px, py = plane
        out = np.full(px.shape, np.inf)
        centre = t.mean(axis=0)
        for i in range(3):
            a, b = t[i], t[(i + 1) % 3]
            e = b - a
            n = np.array([-e[1], e[0]]) / np.linalg.norm(e)
            if (centre - a) @ n < 0:
                n = -n
            out = np.minimum(out, (px - a[0]) * n[0] + (py - a[1]) * n[1])
        return out


@dataclass(frozen=True, eq=False)
class _FaceTable:
    frame: _Frame
    members: np.ndarray  # positions (in the grid) of the cells in this table
    q: np.ndarray
    r: np.ndarray
    qmin: int
    rmin: int
    table: np.ndarray | None  # dense (nq, nr) int64 positions, -1 empty
    keys: np.ndarray | None  # sorted keys when the dense table would be too large
    key_pos: np.ndarray | None
    nr: int

    def lookup(self, q: np.ndarray, r: np.ndarray) -> np.ndarray:
        qq, rr = q - self.qmin, r - self.rmin
        if self.table is not None:
            nq, nr = self.table.shape
            ok = (qq >= 0) & (qq < nq) & (rr >= 0) & (rr < nr)
            out = np.full(q.shape, -1, dtype=np.int64)
            out[ok] = self.table[qq[ok], rr[ok]]
            return out
        assert self.keys is not None and self.key_pos is not None
        ok = (qq >= 0) & (rr >= 0) & (rr < self.nr)
        key = qq * self.nr + rr
        i = np.searchsorted(self.keys, key)
        i = np.minimum(i, len(self.keys) - 1)
        hit = ok & (self.keys[i] == key)
        return np.where(hit, self.key_pos[i], -1)


def _faces_of(x: Vec) -> np.ndarray:
    """The icosahedron face (nearest face centre) of each unit vector.

    The nearest-centre region of a face is the face itself, bounded by the bisectors with
    its three edge neighbours; so test the first point's face by three dot products and
    search all 20 only for the points off it.
    """
    ico = _icosahedron()
    f0 = int(np.argmax(ico.centres @ np.array([x[0][0], x[1][0], x[2][0]])))
    rivals = ico.centres[f0][None, :] - ico.centres[ico.adjacent[f0]]
    on = (_dot(x, rivals[0]) >= 0) & (_dot(x, rivals[1]) >= 0) & (_dot(x, rivals[2]) >= 0)
    face_of = np.full(x[0].shape, f0, dtype=np.int64)
    off = np.flatnonzero(~on)
    if off.size:
        face_of[off] = np.argmax(_stack((x[0][off], x[1][off], x[2][off])) @ ico.centres.T,
                                 axis=1)
    return face_of


class _Locator:
    """Point → cell position for a set of H3 cells, with h3 itself as the fallback."""

    def __init__(self, cells: np.ndarray, resolution: int, clon: np.ndarray,
                 clat: np.ndarray):
        self.cells = cells
        self.resolution = resolution
        if cells.size < 2 or bool(np.all(cells[1:] > cells[:-1])):
            self.order = np.arange(cells.size)
            self.sorted = cells
        else:
            self.order = np.argsort(cells, kind="stable")
            self.sorted = cells[self.order]
        self.tables: list[_FaceTable] = []
        self.fallback_cells = np.ones(len(cells), dtype=bool)  # not in any table
        if len(cells) == 0:
            return
        x = _unit(clon, clat)
        ico = _icosahedron()
        face_of = _faces_of(x)
        for face in np.flatnonzero(np.bincount(face_of, minlength=20)):
            members = np.flatnonzero(face_of == face)
            xv = (x[0][members], x[1][members], x[2][members])
            probe = int(cells[members[int(np.argmax(_dot(xv, ico.centres[face])))]])
            frame = _Frame.build(int(face), probe)
            if frame is None:
                continue
            aq, ar = frame.axial(frame.plane(xv))
            q, r = np.rint(aq), np.rint(ar)
            good = ((np.maximum(np.abs(aq - q), np.abs(ar - r)) < 1e-3)
                    & frame.on_face(xv, 1e-9))
            if not good.any():
                continue
            self.fallback_cells[members[good]] = False
            self.tables.append(self._table(frame, members[good], q[good].astype(np.int64),
                                           r[good].astype(np.int64)))

    @staticmethod
    def _table(frame: _Frame, members: np.ndarray, q: np.ndarray, r: np.ndarray) -> _FaceTable:
        qmin, rmin = int(q.min()), int(r.min())
        nq, nr = int(q.max()) - qmin + 1, int(r.max()) - rmin + 1
        if nq * nr <= max(8 * len(q), 1 << 20):
            table = np.full((nq, nr), -1, dtype=np.int64)
            table[q - qmin, r - rmin] = members
            return _FaceTable(frame, members, q, r, qmin, rmin, table, None, None, nr)
        key = (q - qmin) * nr + (r - rmin)
        o = np.argsort(key)
        return _FaceTable(frame, members, q, r, qmin, rmin, None, key[o], members[o], nr)

    @property
    def single_face(self) -> bool:
        return len(self.tables) == 1 and not self.fallback_cells.any()

    def _by_h3(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        if lon.size == 0:
            return np.empty(0, dtype=np.int64)
        c = h3_cells_of(lon, lat, self.resolution)
        i = np.minimum(np.searchsorted(self.sorted, c), len(self.sorted) - 1)
        return np.where(self.sorted[i] == c, self.order[i], -1)

    def positions(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Position of each point's cell in ``cells``, -1 when the cell is not there."""
        n = len(lon)
        out = np.full(n, -1, dtype=np.int64)
        if len(self.cells) == 0 or n == 0:
            return out
        for s in range(0, n, _CHUNK):
            lo, la = lon[s:s + _CHUNK], lat[s:s + _CHUNK]
            pos = np.full(len(lo), -1, dtype=np.int64)
            done = np.zeros(len(lo), dtype=bool)
            x = _unit(lo, la)
            for t in self.tables:
                fr = t.frame
                on = fr.on_face(x) & ~done
                if not on.any():
                    continue
                idx = np.flatnonzero(on)
                xs = x if idx.size == len(lo) else (x[0][idx], x[1][idx], x[2][idx])
                q, r, clear = fr.nearest(fr.plane(xs))
                hit = t.lookup(q, r)
                sure = clear & (hit >= 0)
                pos[idx[sure]] = hit[sure]
                done[idx[sure]] = True
                if self.single_face:
                    # every grid cell sits in this one table, so a lattice point it does
                    # not hold is no grid cell (a cell across the face edge would have
                    # its centre on the other face and be missing from the table)
                    done[idx[clear & (hit < 0)]] = True
            rest = np.flatnonzero(~done)
            pos[rest] = self._by_h3(lo[rest], la[rest])
            out[s:s + _CHUNK] = pos
        return out


# --- H3 grid ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class H3Grid:
    """H3 cells covering a study area, zeros included.

    Attributes
    ----------
    resolution : int
        H3 resolution 0..15 (https://h3geo.org/docs/core-library/restable).
    cells : numpy.ndarray
        Sorted unique int64 H3 indexes: the cells whose centre lies in the area
        (``h3.polygon_to_cells``) plus the cell of every event inside the area, so that no
        event at the edge is lost.
    area : StudyArea
        The study area the grid was built for.
    """

    resolution: int
    cells: np.ndarray
    area: StudyArea
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                   compare=False)

    def __len__(self) -> int:
        return int(self.cells.size)

    @property
    def n_cells(self) -> int:
        return int(self.cells.size)

    def _locator(self) -> _Locator:
        if "locator" not in self._cache:
            lon, lat = self.centroids()
            self._cache["locator"] = _Locator(self.cells, self.resolution, lon, lat)
        loc: _Locator = self._cache["locator"]
        return loc

    def centroids(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lon, lat)`` of the cell centres, in the order of ``cells``."""
        if "centroids" not in self._cache:
            self._cache["centroids"] = cell_centres(self.cells)
        lon, lat = self._cache["centroids"]
        return lon, lat

    def index_of(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Position in ``cells`` of the H3 cell of each point, -1 for cells not in the grid.

        Equals ``searchsorted(cells, h3grid.cells_of(lon, lat, resolution))`` with misses
        set to -1, computed mostly in numpy (see the module docstring). The study area is
        not tested here; :meth:`locate` does that.
        """
        lon, lat = _check_lonlat(lon, lat)
        return self._locator().positions(lon, lat)

    def locate(self, points: Points) -> np.ndarray:
        """Cell position of each event inside the study area, -1 for events outside it."""
        cached = self._cache.get("located")
        if cached is not None and cached[0]() is points:
            pos: np.ndarray = cached[1]
            return pos
        lon, lat = _check_lonlat(points.lon, points.lat)
        inside = inside_area(self.area, lon, lat)
        pos = np.full(len(lon), -1, dtype=np.int64)
        pos[inside] = self._locator().positions(lon[inside], lat[inside])
        self._remember(points, pos)
        return pos

    def _remember(self, points: Points, pos: np.ndarray) -> None:
        self._cache["located"] = (weakref.ref(points), pos)

    def counts(self, points: Points) -> np.ndarray:
        """Events per cell (int64, zeros included); events outside the area are not counted."""
        pos = self.locate(points)
        return np.bincount(pos[pos >= 0], minlength=self.n_cells).astype(np.int64)

    def cell_ids(self) -> list[str]:
        """H3 index strings (``"89088196a2bffff"``) in the order of ``cells``."""
        return [format(c, "x") for c in self.cells.tolist()]

    def cell_polygons_lonlat(self) -> list[list[list[float]]]:
        """Closed lon/lat ring of every cell (GeoJSON order), in the order of ``cells``."""
        f = h3i.cell_to_boundary
        rings = []
        for c in self.cells.tolist():
            ring = [[lng, lat] for lat, lng in f(c)]
            ring.append(ring[0])
            rings.append(ring)
        return rings

    def describe(self) -> str:
        return (f"H3 resolution {self.resolution}: {self.n_cells:,} cells "
                f"(~{h3.average_hexagon_edge_length(self.resolution, 'm'):,.0f} m edge) "
                f"over the study area: {self.area.describe()}")


def _area_m2(area: StudyArea) -> float:
    geom = area.geometry
    lat0 = float(np.clip(shapely.centroid(geom).y, -89.0, 89.0))
    return float(geom.area) * 111_320.0 ** 2 * np.cos(np.radians(lat0))


def h3_grid(area: StudyArea, resolution: int, points: Points | None = None) -> H3Grid:
    """The H3 cells of a study area at ``resolution``, plus the cells of its events.

    Parameters
    ----------
    area : StudyArea
        Study area (lon/lat polygon).
    resolution : int
        H3 resolution 0..15.
    points : Points, optional
        Events; the cell of every event inside the area joins the grid, so events in
        cells whose centre lies just outside the area are not lost.

    Returns
    -------
    H3Grid

    Raises
    ------
    AnalysisError
        Resolution outside 0..15, more than :data:`MAX_CELLS` cells, or fewer than 2 cells.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer) \
            or not 0 <= int(resolution) <= 15:
        raise AnalysisError(f"The H3 resolution must be a whole number 0..15, got {resolution!r}.")
    res = int(resolution)
    estimate = _area_m2(area) / h3.average_hexagon_area(res, "m^2")
    if estimate > MAX_CELLS:
        coarser = next(r for r in range(res, -1, -1)
                       if _area_m2(area) / h3.average_hexagon_area(r, "m^2") <= MAX_CELLS)
        raise AnalysisError(
            f"H3 resolution {res} would cut the study area ({area.describe()}) into about "
            f"{estimate:,.0f} cells; use resolution {coarser} or coarser.")
    base = sorted_unique(np.array(h3i.geo_to_cells(area.geometry, res), dtype=np.int64))
    grid = H3Grid(res, base, area)
    if points is not None and len(points):
        lon, lat = _check_lonlat(points.lon, points.lat)
        inside = np.flatnonzero(inside_area(area, lon, lat))
        if base.size:
            pos = grid._locator().positions(lon[inside], lat[inside])
        else:
            pos = np.full(inside.size, -1, dtype=np.int64)
        miss = np.flatnonzero(pos < 0)  # events inside the area in cells beyond polyfill
        located = np.full(len(lon), -1, dtype=np.int64)
        if miss.size:
            missed = h3_cells_of(lon[inside[miss]], lat[inside[miss]], res)
            extra = sorted_unique(missed)
            cells = np.sort(np.concatenate((base, extra)))  # extra is disjoint from base
            blon, blat = grid.centroids()
            elon, elat = cell_centres(extra)
            order = np.argsort(np.concatenate((base, extra)), kind="stable")
            grid = H3Grid(res, cells, area)
            grid._cache["centroids"] = (np.concatenate((blon, elon))[order],
                                        np.concatenate((blat, elat))[order])
            pos = np.searchsorted(cells, base)[pos] if base.size else pos
            pos[miss] = np.searchsorted(cells, missed)
        located[inside] = pos
        grid._remember(points, located)
    if grid.n_cells < 2:
        raise AnalysisError(
            f"The study area ({area.describe()}) holds {grid.n_cells} H3 cell(s) at "
            f"resolution {res}; a hot-spot analysis needs many cells: use a finer "
            f"resolution (≥ {min(res + 2, 15)}) or a larger area.")
    return grid


# --- square grid --------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _transformers(crs: str) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    import pyproj  # imported when needed: keeps the CLI start-up short

    try:
        fwd = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        inv = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except pyproj.exceptions.CRSError as exc:
        raise AnalysisError(f"Unknown coordinate reference system {crs!r}: {exc}") from None
    if not pyproj.CRS.from_user_input(crs).is_projected:
        raise AnalysisError(f"{crs} is not a projected (metric) CRS; use e.g. a UTM zone.")
    return fwd, inv


@dataclass(eq=False)
class SquareGrid:
    """Square cells of ``cell_size`` metres in a projected CRS.

    Cell ``(row, col)`` spans ``x0 + col*cell_size .. +cell_size`` and
    ``y0 + row*cell_size .. +cell_size`` (rows count northward from the grid's south
    edge). ``inside[row, col]`` marks the cells of the study area: the cell centre lies in
    the area, or (when :func:`square_grid` was given points) an event inside the area lies
    in the cell. Cell positions (``counts``, ``index_of``) run over the inside cells in
    row-major order.
    """

    crs: str
    x0: float
    y0: float
    cell_size: float
    nx: int
    ny: int
    inside: np.ndarray
    area: StudyArea | None = None
    _flat: np.ndarray = field(init=False, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.inside = np.asarray(self.inside, dtype=bool).reshape(self.ny, self.nx)
        flat = np.full(self.ny * self.nx, -1, dtype=np.int64)
        mask = self.inside.ravel()
        flat[mask] = np.arange(int(mask.sum()), dtype=np.int64)
        self._flat = flat

    def __len__(self) -> int:
        return self.n_cells

    @property
    def n_cells(self) -> int:
        return int(self.inside.sum())

    def to_xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        fwd, _ = _transformers(self.crs)
        x, y = fwd.transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def _index_xy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        col = np.floor((x - self.x0) / self.cell_size)
        row = np.floor((y - self.y0) / self.cell_size)
        ok = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        out = np.full(x.shape, -1, dtype=np.int64)
        out[ok] = self._flat[row[ok].astype(np.int64) * self.nx + col[ok].astype(np.int64)]
        return out

    def index_of(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Position among the inside cells of each point's cell, -1 outside them."""
        lon, lat = _check_lonlat(lon, lat)
        return self._index_xy(*self.to_xy(lon, lat))

    def locate(self, points: Points) -> np.ndarray:
        """Cell position of each event inside the study area, -1 for events outside it."""
        lon, lat = _check_lonlat(points.lon, points.lat)
        pos = self.index_of(lon, lat)
        if self.area is not None:
            pos[~inside_area(self.area, lon, lat)] = -1
        return pos

    def counts(self, points: Points) -> np.ndarray:
        """Events per inside cell (int64, zeros included)."""
        pos = self.locate(points)
        return np.bincount(pos[pos >= 0], minlength=self.n_cells).astype(np.int64)

    def rows_cols(self) -> tuple[np.ndarray, np.ndarray]:
        row, col = np.nonzero(self.inside)
        return row, col

    def centres_xy(self) -> tuple[np.ndarray, np.ndarray]:
        """Metric coordinates of the inside cells' centres."""
        row, col = self.rows_cols()
        return (self.x0 + (col + 0.5) * self.cell_size,
                self.y0 + (row + 0.5) * self.cell_size)

    def centroids(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lon, lat)`` of the inside cells' centres."""
        _, inv = _transformers(self.crs)
        x, y = self.centres_xy()
        lon, lat = inv.transform(x, y)
        return np.asarray(lon), np.asarray(lat)

    def cell_ids(self) -> list[str]:
        """``"r{row}c{col}"`` of the inside cells."""
        row, col = self.rows_cols()
        return [f"r{r}c{c}" for r, c in zip(row.tolist(), col.tolist(), strict=True)]

    def cell_polygons_lonlat(self) -> list[list[list[float]]]:
        """Closed lon/lat ring of each inside cell (4 corners, GeoJSON order)."""
        _, inv = _transformers(self.crs)
        row, col = self.rows_cols()
        s = self.cell_size
        x = self.x0 + col * s
        y = self.y0 + row * s
        cx = np.stack((x, x + s, x + s, x, x), axis=1)
        cy = np.stack((y, y, y + s, y + s, y), axis=1)
        lon, lat = inv.transform(cx.ravel(), cy.ravel())
        ring = np.stack((np.asarray(lon), np.asarray(lat)), axis=1).reshape(-1, 5, 2)
        return ring.tolist()

    def describe(self) -> str:
        where = f" over the study area: {self.area.describe()}" if self.area else ""
        return (f"{self.cell_size:g} m squares in {self.crs}: {self.n_cells:,} cells "
                f"({self.nx} × {self.ny} box){where}")


def square_grid(area: StudyArea, cell_size_m: float, crs: str,
                points: Points | None = None) -> SquareGrid:
    """Square cells of ``cell_size_m`` metres over ``area`` in the projected ``crs``.

    The grid is aligned to multiples of the cell size (the same cells for any area in the
    same CRS). A cell belongs to the study area when its centre lies in the area
    (projected to ``crs``), or when ``points`` are given and an event inside the area
    lies in it.

    Raises
    ------
    AnalysisError
        Cell size not positive, CRS not metric, more than :data:`MAX_CELLS` cells in the
        bounding box, or fewer than 2 cells in the area.
    """
    try:
        s = float(cell_size_m)
    except (TypeError, ValueError):
        raise AnalysisError(
            f"The cell size must be a number of metres, got {cell_size_m!r}.") from None
    if not np.isfinite(s) or s <= 0:
        raise AnalysisError(f"The cell size must be a positive number of metres, got {s}.")
    fwd, _ = _transformers(crs)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = fwd.transform(xy[:, 0], xy[:, 1])
        return np.column_stack((x, y))

    geom_m = shapely.transform(area.geometry, project)
    if not np.isfinite(geom_m.bounds).all():
        raise AnalysisError(f"The study area cannot be projected to {crs}.")
    minx, miny, maxx, maxy = geom_m.bounds
    x0, y0 = np.floor(minx / s) * s, np.floor(miny / s) * s
    nx, ny = int((maxx - x0) // s) + 1, int((maxy - y0) // s) + 1
    if nx * ny > MAX_CELLS:
        raise AnalysisError(
            f"{s:g} m cells would make a {nx} × {ny} grid ({nx * ny:,} cells); "
            "use a larger cell size.")
    shapely.prepare(geom_m)
    cx = x0 + (np.arange(nx) + 0.5) * s
    cy = y0 + (np.arange(ny) + 0.5) * s
    gx, gy = np.meshgrid(cx, cy)
    inside = np.asarray(shapely.intersects_xy(geom_m, gx.ravel(), gy.ravel()),
                        dtype=bool).reshape(ny, nx)
    if points is not None and len(points):
        lon, lat = _check_lonlat(points.lon, points.lat)
        keep = inside_area(area, lon, lat)
        x, y = fwd.transform(lon[keep], lat[keep])
        col = np.floor((np.asarray(x) - x0) / s).astype(np.int64)
        row = np.floor((np.asarray(y) - y0) / s).astype(np.int64)
        ok = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
        inside[row[ok], col[ok]] = True
    grid = SquareGrid(crs, float(x0), float(y0), s, nx, ny, inside, area)
    if grid.n_cells < 2:
        raise AnalysisError(
            f"The study area ({area.describe()}) holds {grid.n_cells} cell(s) of {s:g} m; "
            "use a smaller cell size or a larger area.")
    return grid


# --- space-time cube ----------------------------------------------------------------------

_STEP = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNIT = {"h": 3_600, "d": DAY, "w": 7 * DAY}


def parse_step(text: str) -> int:
    """A time step such as ``"7d"``, ``"1w"``, ``"24h"`` in seconds.

    Raises
    ------
    AnalysisError
        Anything but a positive whole number followed by ``h``, ``d`` or ``w``.
    """
    m = _STEP.match(str(text))
    if not m or int(m.group(1)) <= 0:
        raise AnalysisError(f"Cannot read the time step {text!r}: write a positive whole "
                            "number of hours, days or weeks, e.g. 24h, 7d or 1w.")
    return int(m.group(1)) * _UNIT[m.group(2).lower()]


def _iso(seconds: int) -> str:
    return str(np.datetime64(int(seconds), "s")) + "Z"


@dataclass(frozen=True, eq=False)
class Cube:
    """Event counts per cell and time step.

    Attributes
    ----------
    counts : numpy.ndarray
        ``(n_cells, n_steps)`` int64; zeros included.
    edges : numpy.ndarray
        ``(n_steps + 1,)`` epoch seconds; step ``j`` is ``[edges[j], edges[j+1])``.
    grid : H3Grid or SquareGrid
    note : str
        What was left out (a partial last step, events outside the period or the area).
    n_outside_area, n_outside_period : int
        Events not counted because they lie outside the study area / the whole steps.
    """

    counts: np.ndarray
    edges: np.ndarray
    grid: H3Grid | SquareGrid
    note: str = ""
    n_outside_area: int = 0
    n_outside_period: int = 0

    @property
    def n_steps(self) -> int:
        return int(self.counts.shape[1])

    @property
    def step_seconds(self) -> int:
        return int(self.edges[1] - self.edges[0])


def space_time_cube(grid: H3Grid | SquareGrid, points: Points, step_seconds: int,
                    start: int | None = None, end: int | None = None) -> Cube:
    """Count events per cell and time step of ``step_seconds``.

    Steps are aligned to ``start``; by default ``start`` is the earliest event time floored
    to midnight UTC, and ``end`` (exclusive) is one second after the latest event. Only
    whole steps are kept: a last, partial step (``(end - start) % step_seconds != 0``) is
    dropped and said so in :attr:`Cube.note`, because a short step would look like a drop
    in activity to a trend test.

    Raises
    ------
    AnalysisError
        Step not positive, period shorter than one step, or no event in the cube.
    """
    step = int(step_seconds)
    if step <= 0:
        raise AnalysisError(f"The time step must be positive, got {step_seconds!r} seconds.")
    if len(points) == 0:
        raise AnalysisError("No points to put in a space-time cube.")
    t = np.asarray(points.t, dtype=np.int64)
    t0 = int(t.min()) // DAY * DAY if start is None else int(start)
    t1 = int(t.max()) + 1 if end is None else int(end)
    n_steps = (t1 - t0) // step
    if n_steps < 1:
        raise AnalysisError(
            f"The period {_iso(t0)} to {_iso(t1)} is shorter than one time step "
            f"({step / DAY:g} days); use a shorter step or a longer period.")
    stop = t0 + n_steps * step
    pos = grid.locate(points)
    in_time = (t >= t0) & (t < stop)
    sel = in_time & (pos >= 0)
    n_cells = grid.n_cells
    flat = pos[sel] * n_steps + (t[sel] - t0) // step
    counts = np.bincount(flat, minlength=n_cells * n_steps).astype(np.int64)
    counts = counts.reshape(n_cells, n_steps)
    notes = []
    if stop < t1:
        partial = int(((t >= stop) & (t < t1) & (pos >= 0)).sum())
        notes.append(f"The last, partial step ({_iso(stop)} to {_iso(t1)}, {partial:,} "
                     "event(s)) was dropped: every step must have the same length.")
    n_area = int((pos < 0).sum())
    n_period = int((~in_time & (pos >= 0)).sum())
    if n_area:
        notes.append(f"{n_area:,} event(s) outside the study area were not counted.")
    if n_period and (start is not None or end is not None or stop < t1):
        notes.append(f"{n_period:,} event(s) inside the area but outside {_iso(t0)} to "
                     f"{_iso(stop)} were not counted.")
    if not sel.any():
        raise AnalysisError(
            f"No event lies inside the study area ({_grid_area(grid)}) between {_iso(t0)} "
            f"and {_iso(stop)}.")
    edges = t0 + step * np.arange(n_steps + 1, dtype=np.int64)
    return Cube(counts, edges, grid, " ".join(notes), n_area, n_period)


def _grid_area(grid: H3Grid | SquareGrid) -> str:
    return grid.area.describe() if grid.area is not None else "the grid"

"""The fixed geography of the demo city Ljusfjärda: outline, districts, places, partners.

The city is the same for every seed, so that screenshots, documentation and tests can
name its places.  Geometry is built in a local metric frame (metres east and north of
:data:`CENTRE`) and mapped to WGS84 with an equirectangular projection, which over a city
of 14 x 10 km differs from SWEREF 99 TM (EPSG:3006) by a uniform scale of well under 1 %.

Districts (*stadsdelar*) are the Voronoi cells of nine hand-placed seed points, clipped to
a wavy elliptic city outline, so that they tile the city without gaps or overlaps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.polygon import orient

CITY_NAME = "Ljusfjärda"
CITY_SLUG = "demo"
TIMEZONE = "Europe/Stockholm"
METRIC_CRS = "EPSG:3006"
CENTRE: tuple[float, float] = (16.9, 59.0)
#: metres per degree of latitude on the mean Earth sphere (R = 6 371 008.8 m)
M_PER_DEG_LAT = 6_371_008.8 * math.pi / 180.0
#: metres per degree of longitude at the centre's latitude
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(CENTRE[1]))
#: semi-axes (east-west, north-south) of the city outline in metres
OUTLINE_SEMI_AXES_M = (6_800.0, 4_600.0)
#: coordinates are rounded to this many decimals (about 1 cm)
COORD_DECIMALS = 7

POLICE_CLASSES = ("none", "vulnerable", "risk", "especially_vulnerable")
INDOOR_TYPES = frozenset(
    {"stairwell", "laundry_room", "basement", "attic", "garage", "bicycle_garage", "mall"}
)


@dataclass(frozen=True)
class DistrictSpec:
    """A district (*stadsdel*) with its police classification and WGS84 outline."""

    slug: str
    name: str
    police_class: str
    polygon: list[tuple[float, float]]


@dataclass(frozen=True)
class OrganisationSpec:
    """A partner organisation that reports observations."""

    slug: str
    name: str
    kind: str


@dataclass(frozen=True)
class PlaceSpec:
    """A registered place; ``polygon`` is ``None`` for point-like places."""

    slug: str
    name: str
    place_type: str
    lon: float
    lat: float
    district: str
    owner_kind: str
    polygon: list[tuple[float, float]] | None
    indoor: bool


# slug, name, police class, inhabitants, seed point east/north of the centre (km)
_DISTRICTS: tuple[tuple[str, str, str, int, float, float], ...] = (
    ("centrum", "Centrum", "none", 14_200, 0.0, 0.0),
    ("hamnstaden", "Hamnstaden", "none", 11_400, 2.7, -1.6),
    ("larkhojden", "Lärkhöjden", "especially_vulnerable", 19_300, -2.9, 1.9),
    ("granbo", "Granbo", "risk", 17_100, -3.1, -1.5),
    ("kvarnbacken", "Kvarnbacken", "vulnerable", 18_200, 0.1, 2.7),
    ("angsdal", "Ängsdal", "vulnerable", 16_400, 3.1, 2.0),
    ("strandangen", "Strandängen", "none", 19_800, -0.2, -2.9),
    ("ostervallen", "Östervallen", "none", 17_600, 5.2, 0.1),
    ("skogsbacka", "Skogsbacka", "none", 16_000, -5.5, 0.2),
)

# slug, name, kind
_ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("kommunen", "Ljusfjärda kommun, trygghetssamordnare", "municipality"),
    ("polisen", "Polisen, lokalpolisområde Ljusfjärda", "police"),
    ("faltgruppen", "Socialtjänstens fältgrupp", "social_services"),
    ("ljusfjardahem", "Ljusfjärdahem AB", "housing_company"),
    ("kvarnbackeskolan", "Kvarnbackeskolan", "school"),
    ("fritidsgarden-larkan", "Fritidsgården Lärkan", "youth_centre"),
    ("sprutmottagningen", "Sprutmottagningen Ljusfjärda", "harm_reduction"),
    ("centrumforeningen", "Ljusfjärda Centrumförening", "business"),
    ("trygga-kvallar", "Föreningen Trygga kvällar", "ngo"),
    ("anonyma-tips", "Anonyma tips från allmänheten", "citizen_channel"),
)

# slug, name, type, district, metres east/north of the district seed, owner kind
_PLACES: tuple[tuple[str, str, str, str, float, float, str], ...] = (
    ("stortorget", "Stortorget", "square", "centrum", 100, 50, "municipal"),
    ("kyrkparken", "Kyrkparken", "park", "centrum", -150, 250, "municipal"),
    ("resecentrum", "Resecentrum", "transit_node", "centrum", -500, -600, "state"),
    ("gallerian", "Köpcentret Gallerian", "mall", "centrum", 550, -300, "private"),
    ("krogen-ankaret", "Krogen Ankaret", "bar", "centrum", 400, 420, "private"),
    ("grillen-resecentrum", "Grillen vid Resecentrum", "fast_food", "centrum", -250, -420,
     "private"),
    ("hallplats-torggatan", "Hållplats Torggatan", "bus_stop", "centrum", -300, 600, "state"),
    ("bensinstationen-hamnvagen", "Bensinstationen Hamnvägen", "petrol_station", "hamnstaden",
     -400, 300, "private"),
    ("byggplatsen-kajstaden", "Byggarbetsplatsen Kajstaden", "construction_site", "hamnstaden",
     300, -200, "private"),
    ("hamnparken", "Hamnparken", "park", "hamnstaden", 50, 550, "municipal"),
    ("larkhojdens-torg", "Lärkhöjdens torg", "square", "larkhojden", 0, 0, "municipal"),
    ("trappuppgang-larkvagen-4", "Trappuppgång Lärkvägen 4", "stairwell", "larkhojden",
     250, 150, "housing_company"),
    ("tvattstuga-larkvagen-8", "Tvättstugan Lärkvägen 8", "laundry_room", "larkhojden",
     320, -160, "housing_company"),
    ("kallare-larkvagen-10", "Källaren Lärkvägen 10", "basement", "larkhojden", -260, 210,
     "housing_company"),
    ("larkhojdsskolan-skolgard", "Lärkhöjdsskolans skolgård", "school_yard", "larkhojden",
     -420, -300, "municipal"),
    ("forskolan-solrosen", "Förskolan Solrosen", "preschool", "larkhojden", 460, -420,
     "municipal"),
    ("fritidsgarden-larkan", "Fritidsgården Lärkan", "youth_centre", "larkhojden", -150, -250,
     "municipal"),
    ("hallplats-larkhojden-centrum", "Hållplats Lärkhöjden centrum", "bus_stop", "larkhojden",
     100, -180, "state"),
    ("granbo-torg", "Granbo torg", "square", "granbo", 0, 0, "municipal"),
    ("garaget-granbovagen-20", "Garaget Granbovägen 20", "garage", "granbo", 300, 200,
     "housing_company"),
    ("cykelgaraget-granbovagen-14", "Cykelgaraget Granbovägen 14", "bicycle_garage", "granbo",
     -250, 250, "housing_company"),
    ("lekplatsen-granbodalen", "Lekplatsen Granbodalen", "playground", "granbo", -300, -320,
     "municipal"),
    ("vinden-tallstigen-3", "Vindsförrådet Tallstigen 3", "attic", "granbo", 350, -260,
     "housing_company"),
    ("kvarnparken", "Kvarnparken", "park", "kvarnbacken", 0, 0, "municipal"),
    ("tvattstuga-kvarnvagen-12", "Tvättstugan Kvarnvägen 12", "laundry_room", "kvarnbacken",
     300, 250, "housing_company"),
    ("kvarnbackeskolan-skolgard", "Kvarnbackeskolans skolgård", "school_yard", "kvarnbacken",
     -380, 300, "municipal"),
    ("kvarnbackens-centrum", "Kvarnbackens centrum", "square", "kvarnbacken", 220, -380,
     "municipal"),
    ("trappuppgang-mjolnarvagen-7", "Trappuppgång Mjölnarvägen 7", "stairwell", "kvarnbacken",
     -300, -250, "housing_company"),
    ("angsdalsskogen", "Ängsdalsskogen", "copse", "angsdal", 400, 300, "municipal"),
    ("angsdals-station", "Ängsdals station", "transit_node", "angsdal", -300, -220, "state"),
    ("kallare-angsdalsvagen-22", "Källaren Ängsdalsvägen 22", "basement", "angsdal", -100, 320,
     "housing_company"),
    ("pizzerian-angsdal", "Pizzerian Ängsdal", "fast_food", "angsdal", 200, -300, "private"),
    ("strandparken", "Strandparken", "park", "strandangen", 0, 200, "municipal"),
    ("lekplatsen-strandangen", "Lekplatsen Strandängen", "playground", "strandangen", -320,
     -100, "municipal"),
    ("forskolan-sjostjarnan", "Förskolan Sjöstjärnan", "preschool", "strandangen", 300, -220,
     "municipal"),
    ("ostervallens-kopcentrum", "Östervallens köpcentrum", "mall", "ostervallen", 0, 0,
     "private"),
    ("bensinmacken-osterleden", "Bensinmacken Österleden", "petrol_station", "ostervallen",
     420, -300, "private"),
    ("dungen-osterleden", "Dungen vid Österleden", "copse", "ostervallen", -320, 400,
     "municipal"),
    ("skogsbacka-skola-skolgard", "Skogsbacka skolas skolgård", "school_yard", "skogsbacka",
     0, 0, "municipal"),
    ("hallplats-skogsbacka-vandplan", "Hållplats Skogsbacka vändplan", "bus_stop",
     "skogsbacka", 300, -200, "state"),
    ("garaget-bjorkvagen-5", "Garaget Björkvägen 5", "garage", "skogsbacka", -250, 250,
     "housing_company"),
)

# half width, half height (m) and shape of the footprint of places that get a polygon
_FOOTPRINTS: dict[str, tuple[float, float, str]] = {
    "square": (45.0, 35.0, "rect"),
    "park": (110.0, 75.0, "ellipse"),
    "copse": (80.0, 60.0, "ellipse"),
    "transit_node": (80.0, 30.0, "rect"),
    "construction_site": (55.0, 40.0, "rect"),
    "mall": (70.0, 45.0, "rect"),
    "school_yard": (50.0, 35.0, "rect"),
}


def to_lonlat(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map metres east/north of :data:`CENTRE` to WGS84 longitude and latitude.

    Parameters
    ----------
    x_m, y_m : numpy.ndarray
        Offsets east and north of the city centre in metres.

    Returns
    -------
    tuple of numpy.ndarray
        Longitude and latitude in degrees.
    """
    lon = CENTRE[0] + np.asarray(x_m, dtype=np.float64) / M_PER_DEG_LON
    lat = CENTRE[1] + np.asarray(y_m, dtype=np.float64) / M_PER_DEG_LAT
    return lon, lat


def to_metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_lonlat`: metres east/north of the centre."""
    x = (np.asarray(lon, dtype=np.float64) - CENTRE[0]) * M_PER_DEG_LON
    y = (np.asarray(lat, dtype=np.float64) - CENTRE[1]) * M_PER_DEG_LAT
    return x, y


def _ring_lonlat(poly_m: Polygon) -> list[tuple[float, float]]:
    """Closed, counter-clockwise WGS84 ring of a metric polygon (rounded)."""
    coords = np.asarray(orient(poly_m, sign=1.0).exterior.coords)
    lon, lat = to_lonlat(coords[:, 0], coords[:, 1])
    lon = np.round(lon, COORD_DECIMALS)
    lat = np.round(lat, COORD_DECIMALS)
    ring = [(float(a), float(b)) for a, b in zip(lon, lat, strict=True)]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def outline_m() -> Polygon:
    """The city outline in the local metric frame: a wavy ellipse (72 vertices)."""
    theta = np.linspace(0.0, 2.0 * math.pi, 72, endpoint=False)
    a, b = OUTLINE_SEMI_AXES_M
    r = a * b / np.hypot(b * np.cos(theta), a * np.sin(theta))
    r = r * (1.0 + 0.06 * np.sin(3 * theta + 0.4) + 0.04 * np.sin(5 * theta + 1.3))
    return Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))


def _footprint(place_type: str, x: float, y: float) -> Polygon | None:
    spec = _FOOTPRINTS.get(place_type)
    if spec is None:
        return None
    hw, hh, kind = spec
    if kind == "rect":
        return Polygon([(x - hw, y - hh), (x + hw, y - hh), (x + hw, y + hh), (x - hw, y + hh)])
    t = np.linspace(0.0, 2.0 * math.pi, 16, endpoint=False)
    return Polygon(np.column_stack([x + hw * np.cos(t), y + hh * np.sin(t)]))


@dataclass(frozen=True)
class Geography:
    """Everything fixed about the city, in WGS84 specs and metric helpers."""

    districts: tuple[DistrictSpec, ...]
    organisations: tuple[OrganisationSpec, ...]
    places: tuple[PlaceSpec, ...]
    populations: tuple[int, ...]
    district_shapes: tuple[shapely.Geometry, ...]  # WGS84 polygons of the districts
    city_shape: shapely.Geometry  # their union
    place_xy: np.ndarray  # (P, 2) metres east/north of the centre
    place_district: np.ndarray  # (P,) district index of every place


@lru_cache(maxsize=1)
def build_geography() -> Geography:
    """Build (once) and check the fixed geography of the demo city.

    Raises
    ------
    AssertionError
        If a place does not lie well inside its district (a bug in the tables above).
    """
    outline = outline_m()
    seeds = [Point(x * 1000.0, y * 1000.0) for *_, x, y in _DISTRICTS]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.buffer(2_000.0))
    )
    district_specs: list[DistrictSpec] = []
    shapes: list[shapely.Geometry] = []
    metric: dict[str, Polygon] = {}
    for (slug, name, pclass, _pop, _x, _y), seed in zip(_DISTRICTS, seeds, strict=True):
        cell = next(c for c in cells if c.contains(seed))
        poly_m = cell.intersection(outline)
        metric[slug] = poly_m
        ring = _ring_lonlat(poly_m)
        district_specs.append(DistrictSpec(slug, name, pclass, ring))
        shapes.append(Polygon(ring))
    slug_index = {d.slug: i for i, d in enumerate(district_specs)}

    places: list[PlaceSpec] = []
    xy = np.empty((len(_PLACES), 2))
    p_district = np.empty(len(_PLACES), dtype=np.int64)
    for k, (slug, name, ptype, dslug, dx, dy, owner) in enumerate(_PLACES):
        d = slug_index[dslug]
        x = _DISTRICTS[d][4] * 1000.0 + dx
        y = _DISTRICTS[d][5] * 1000.0 + dy
        foot = _footprint(ptype, x, y)
        # a place keeps 400 m from its district's edge, so report jitter stays inside
        assert metric[dslug].buffer(-400.0).contains(Point(x, y)), slug
        if foot is not None:
            assert metric[dslug].contains(foot), slug
        lon, lat = to_lonlat(np.array([x]), np.array([y]))
        places.append(
            PlaceSpec(
                slug=slug,
                name=name,
                place_type=ptype,
                lon=round(float(lon[0]), COORD_DECIMALS),
                lat=round(float(lat[0]), COORD_DECIMALS),
                district=dslug,
                owner_kind=owner,
                polygon=None if foot is None else _ring_lonlat(foot),
                indoor=ptype in INDOOR_TYPES,
            )
        )
        xy[k] = (x, y)
        p_district[k] = d

    city = shapely.union_all(shapes)
    for g in (*shapes, city):
        shapely.prepare(g)
    return Geography(
        districts=tuple(district_specs),
        organisations=tuple(OrganisationSpec(*o) for o in _ORGANISATIONS),
        places=tuple(places),
        populations=tuple(d[3] for d in _DISTRICTS),
        district_shapes=tuple(shapes),
        city_shape=city,
        place_xy=xy,
        place_district=p_district,
    )


def sample_in_shape(
    rng: np.random.Generator, shape: shapely.Geometry, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points inside a WGS84 polygon (rejection sampling in metres).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    shape : shapely.Geometry
        A prepared WGS84 polygon.
    n : int
        Number of points.

    Returns
    -------
    tuple of numpy.ndarray
        ``x, y`` in metres east/north of the centre, each of length ``n``.
    """
    if n <= 0:
        return np.zeros(0), np.zeros(0)
    minx, miny, maxx, maxy = shape.bounds
    x0, y0 = to_metres(np.array([minx]), np.array([miny]))
    x1, y1 = to_metres(np.array([maxx]), np.array([maxy]))
    keep_x: list[np.ndarray] = []
    keep_y: list[np.ndarray] = []
    have = 0
    while have < n:
        m = int((n - have) * 1.6) + 32
        x = rng.uniform(x0[0], x1[0], m)
        y = rng.uniform(y0[0], y1[0], m)
        inside = shapely.contains_xy(shape, *to_lonlat(x, y))
        keep_x.append(x[inside])
        keep_y.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(keep_x)[:n], np.concatenate(keep_y)[:n]

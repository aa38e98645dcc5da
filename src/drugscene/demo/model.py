"""Generative model of the demo city's reports, with a hidden ground truth.

Every report comes from one of four components:

* **scene reports** – a registered place (or the displacement flow into one) with a daily
  intensity ``base x season x weekday x trend x intervention``;
* **background noise** – uniform over each district, in proportion to its inhabitants
  weighted by its police classification;
* **false reports** – uniform in space and time (nothing happened);
* **duplicates** – a second report of a real event by another organisation.

Category and source are drawn jointly, proportional to ``category_mix(place class) x
propensity(source, category) x context(source, place)``: the true events thinned by who
tends to report what, and where.  ``docs/demo-city.md`` states every parameter, and
:func:`generate` returns them in ``DemoCity.ground_truth``.  Pure numpy + shapely.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from os import PathLike
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from drugscene.demo.geography import (
    CENTRE,
    CITY_NAME,
    CITY_SLUG,
    M_PER_DEG_LAT,
    METRIC_CRS,
    TIMEZONE,
    DistrictSpec,
    Geography,
    OrganisationSpec,
    PlaceSpec,
    build_geography,
    sample_in_shape,
    to_lonlat,
)

__all__ = [
    "CATEGORY_SLUGS",
    "SISTER",
    "DemoCity",
    "DistrictSpec",
    "OrganisationSpec",
    "PlaceSpec",
    "ReportArrays",
    "Variant",
    "demo_username",
    "generate",
    "statistics_of",
    "write_ground_truth",
]

CATEGORY_SLUGS: tuple[str, ...] = (
    "open_sale", "open_use", "drug_litter", "stash_found", "overdose", "gathering",
    "unsafe_place", "violence", "robbery", "threat_to_staff", "weapon", "shooting",
    "vandalism", "graffiti", "littering",
)
#: organisation kinds in the order of ``DemoCity.organisations``
SOURCE_KINDS: tuple[str, ...] = (
    "municipality", "police", "social_services", "housing_company", "school", "youth_centre",
    "harm_reduction", "business", "ngo", "citizen_channel",
)
SETTINGS = ("unknown", "outdoor", "indoor")
VISIBILITIES = ("public", "partners", "restricted")
REVIEWS = ("new", "confirmed", "rejected", "duplicate")

# --- planted scenes, seasons, interventions -----------------------------------------------

SEASON_PEAK_DAY_OF_YEAR = 196  # 15 July
OUTDOOR_AMPLITUDE = 0.45
INDOOR_AMPLITUDE = 0.40
CAMERA_PLACE, DISPLACEMENT_RECEIVER = "stortorget", "kyrkparken"
CAMERA_REDUCTION, DISPLACEMENT_SHARE = 0.70, 0.50
PARK_PLACE, PARK_REDUCTION = "kvarnparken", 0.60

#: place slug -> (role, intensity); places not listed are quiet with intensity 0
SCENES: dict[str, tuple[str, float]] = {
    "stortorget": ("persistent", 1.0), "resecentrum": ("persistent", 0.9),
    "larkhojdens-torg": ("persistent", 1.2), "trappuppgang-larkvagen-4": ("persistent", 0.6),
    "kvarnparken": ("persistent", 0.7), "tvattstuga-kvarnvagen-12": ("persistent", 0.4),
    "granbo-torg": ("persistent", 0.6), "garaget-granbovagen-20": ("persistent", 0.5),
    "angsdalsskogen": ("emerging", 0.8), "bensinstationen-hamnvagen": ("fading", 0.5),
    "kyrkparken": ("displacement_receiver", 0.08),
    "gallerian": ("minor", 0.05), "krogen-ankaret": ("minor", 0.04),
    "grillen-resecentrum": ("minor", 0.06), "byggplatsen-kajstaden": ("minor", 0.05),
    "tvattstuga-larkvagen-8": ("minor", 0.10), "kallare-larkvagen-10": ("minor", 0.08),
    "larkhojdsskolan-skolgard": ("minor", 0.05), "hallplats-larkhojden-centrum": ("minor", 0.08),
    "cykelgaraget-granbovagen-14": ("minor", 0.10), "vinden-tallstigen-3": ("minor", 0.04),
    "kvarnbackeskolan-skolgard": ("minor", 0.06), "kvarnbackens-centrum": ("minor", 0.10),
    "angsdals-station": ("minor", 0.08), "kallare-angsdalsvagen-22": ("minor", 0.05),
    "strandparken": ("minor", 0.06), "ostervallens-kopcentrum": ("minor", 0.08),
    "bensinmacken-osterleden": ("minor", 0.05),
    "forskolan-solrosen": ("quiet", 0.02), "fritidsgarden-larkan": ("quiet", 0.03),
    "lekplatsen-granbodalen": ("quiet", 0.02), "trappuppgang-mjolnarvagen-7": ("quiet", 0.02),
    "pizzerian-angsdal": ("quiet", 0.03), "dungen-osterleden": ("quiet", 0.02),
    "skogsbacka-skola-skolgard": ("quiet", 0.02), "garaget-bjorkvagen-5": ("quiet", 0.03),
}
#: outdoor scene -> its indoor refuge in the same district
PAIRS: tuple[tuple[str, str], ...] = (
    ("larkhojdens-torg", "trappuppgang-larkvagen-4"),
    ("granbo-torg", "garaget-granbovagen-20"),
    ("kvarnparken", "tvattstuga-kvarnvagen-12"),
)
_HOUR_RAW = np.array([1.6, 1.1, 0.7, 0.4, 0.2, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8,
                      1.0, 1.2, 1.5, 1.9, 2.2, 2.4, 2.6, 2.8, 3.0, 2.9, 2.6, 2.1])
_MORNING = np.zeros(24)
_MORNING[6:11] = (0.3, 0.9, 1.2, 0.9, 0.4)
HOUR_PROFILE = _HOUR_RAW / _HOUR_RAW.sum()
HOUR_PROFILE_HOUSING = (_HOUR_RAW + _MORNING) / (_HOUR_RAW + _MORNING).sum()
WEEKDAY_PROFILE = np.array([0.85, 0.85, 0.95, 1.2, 1.35, 1.35, 0.85]) / 7.4  # Mon .. Sun
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# --- noise, review, visibility, position ---------------------------------------------------

FALSE_SHARE, DUPLICATE_SHARE, BACKGROUND_SHARE = 0.03, 0.02, 0.22
INTERVAL_SHARE, LINK_SHARE, UNKNOWN_SETTING_SHARE = 0.30, 0.85, 0.12
DUPLICATE_WINDOW_S, DUPLICATE_RADIUS_M = 1_800, 45.0
RECENT_DAYS = 14
BACKGROUND_CLASS_FACTOR = {"none": 1.0, "vulnerable": 1.5, "risk": 1.8,
                           "especially_vulnerable": 2.2}
BACKGROUND_SETTING = (0.40, 0.45, 0.15)  # unknown, outdoor, indoor
FALSE_SETTING = (0.50, 0.40, 0.10)
REVIEW_OLD = (0.0, 0.97, 0.03)  # new, confirmed, rejected (true reports > 14 days old)
REVIEW_RECENT = (0.85, 0.15, 0.0)  # the same in the last 14 days
FALSE_REJECTED_OLD, FALSE_REJECTED_RECENT = 0.85, 0.30
POLICE_RESTRICTED, MUNICIPALITY_PUBLIC = 0.15, 0.20
#: Gaussian spread (m, per axis) of a scene's events around its place, by place type
JITTER_M = {
    "square": 35, "transit_node": 40, "metro_station": 30, "bus_stop": 15, "park": 60,
    "school_yard": 30, "preschool": 20, "youth_centre": 15, "playground": 15, "stairwell": 6,
    "laundry_room": 6, "basement": 6, "attic": 6, "garage": 12, "bicycle_garage": 8,
    "construction_site": 35, "fast_food": 12, "bar": 12, "mall": 35, "petrol_station": 20,
    "copse": 45,
}
#: stated accuracy (m) per source kind: log-uniform between the bounds
ACCURACY_M = {
    "municipality": (5, 50), "police": (5, 30), "social_services": (10, 80),
    "housing_company": (5, 20), "school": (10, 60), "youth_centre": (10, 60),
    "harm_reduction": (5, 30), "business": (10, 50), "ngo": (10, 80),
    "citizen_channel": (20, 200),
}

# --- who reports what ----------------------------------------------------------------------

PLACE_CLASS = {
    "square": "street", "transit_node": "street", "metro_station": "street",
    "bus_stop": "street", "park": "green", "copse": "green", "stairwell": "housing",
    "laundry_room": "housing", "basement": "housing", "attic": "housing", "garage": "housing",
    "bicycle_garage": "housing", "fast_food": "commercial", "bar": "commercial",
    "mall": "commercial", "petrol_station": "commercial", "school_yard": "youth",
    "preschool": "youth", "youth_centre": "youth", "playground": "youth",
    "construction_site": "construction",
}
#: relative frequency of true events by category (order of CATEGORY_SLUGS)
CATEGORY_MIX = {
    "street": (26, 14, 7, 3, 1, 13, 8, 6, 4, 2, 1.5, 0.5, 5, 4, 5),
    "green": (20, 18, 14, 8, 1.5, 10, 9, 4, 3, 0.5, 1, 0.3, 4, 2, 6),
    "housing": (18, 20, 14, 6, 2, 10, 8, 3, 1, 2, 1, 0.3, 7, 4, 4),
    "commercial": (18, 9, 4, 2, 1, 15, 8, 7, 6, 10, 1.5, 0.3, 8, 3, 7),
    "youth": (20, 6, 12, 4, 0.5, 20, 12, 4, 4, 5, 1.5, 0.2, 5, 4, 3),
    "construction": (12, 8, 15, 30, 0.5, 6, 8, 2, 1, 1, 1, 0.2, 8, 3, 5),
    "background": (6, 5, 8, 2, 0.7, 6, 14, 6, 3, 1, 1, 0.3, 15, 15, 18),
    "false": (30, 10, 3, 1, 0.5, 25, 20, 5, 2, 0, 2.5, 1, 0, 0, 0),
}
#: reporting propensity of each source kind for each category (order of CATEGORY_SLUGS)
PROPENSITY = {
    "municipality": (.10, .10, .30, .05, .05, .30, .80, .05, .05, .10, .05, .05, .60, .70, .80),
    "police": (1.0, .50, .10, .80, .30, .30, .10, .80, .80, .40, .90, 1.0, .20, .05, .02),
    "social_services": (.40, .40, .10, .05, .20, .70, .30, .10, .10, .20, .10, .05, .05, .02,
                        .02),
    "housing_company": (.30, .40, .50, .40, .10, .40, .50, .10, .05, .30, .05, .05, .80, .60,
                        .60),
    "school": (.30, .10, .20, .05, .02, .40, .30, .20, .10, .30, .10, .02, .20, .10, .10),
    "youth_centre": (.30, .10, .10, .02, .02, .50, .20, .20, .10, .30, .10, .02, .10, .05, .05),
    "harm_reduction": (.05, .50, 1.0, .10, 1.0, .05, .10, .02, .02, .05, .02, .01, .02, .01,
                       .10),
    "business": (.20, .30, .10, .02, .05, .30, .20, .20, .40, .60, .05, .02, .50, .40, .40),
    "ngo": (.20, .20, .20, .02, .10, .50, .40, .20, .10, .05, .05, .02, .05, .05, .10),
    "citizen_channel": (.70, .30, .20, .05, .10, .60, .70, .30, .30, .02, .30, .40, .20, .10,
                        .20),
}
#: police presence (patrol factor) by district classification; the centre is patrolled too
POLICE_PATROL = {"none": 0.6, "vulnerable": 1.5, "risk": 2.0, "especially_vulnerable": 2.5}
POLICE_PATROL_CENTRE = 1.5
HOUSING_OWN, HOUSING_OTHER, HOUSING_BACKGROUND = 3.0, 0.15, 0.3
LOCAL_AT_YOUTH, LOCAL_HOME, LOCAL_ELSEWHERE = 5.0, 1.0, 0.2
BUSINESS_COMMERCIAL, BUSINESS_CENTRE, BUSINESS_ELSEWHERE = 4.0, 2.0, 0.2
CITIZEN_FALSE = 6.0
HOME_DISTRICT = {"school": "kvarnbacken", "youth_centre": "larkhojden"}

# --- persons (aggregate only) ---------------------------------------------------------------

AGE_BANDS = ("age_under_15", "age_15_17", "age_18_25", "age_26_plus")
AGE_PROFILES = {
    "sale": (0.10, 0.32, 0.43, 0.15), "use": (0.01, 0.07, 0.32, 0.60),
    "youth": (0.15, 0.40, 0.35, 0.10), "crime": (0.06, 0.28, 0.46, 0.20),
    "other": (0.08, 0.25, 0.37, 0.30),
}
#: category -> (P(persons stated), mean persons beyond the first, age profile, female share)
PERSONS = {
    "open_sale": (0.85, 1.2, "sale", 0.12), "open_use": (0.80, 0.8, "use", 0.28),
    "drug_litter": (0.03, 0.3, "other", 0.20), "stash_found": (0.05, 0.3, "sale", 0.15),
    "overdose": (0.95, 0.2, "use", 0.30), "gathering": (0.90, 4.0, "youth", 0.25),
    "unsafe_place": (0.30, 2.0, "other", 0.20), "violence": (0.80, 1.5, "crime", 0.12),
    "robbery": (0.80, 1.2, "crime", 0.10), "threat_to_staff": (0.80, 0.8, "crime", 0.15),
    "weapon": (0.70, 0.8, "crime", 0.08), "shooting": (0.30, 0.5, "crime", 0.05),
    "vandalism": (0.30, 1.0, "youth", 0.15), "graffiti": (0.20, 1.0, "youth", 0.15),
    "littering": (0.10, 0.5, "other", 0.30),
}
AGES_STATED, AGE_ASSESSED, GENDER_UNKNOWN = 0.75, 0.90, 0.20

EMPTY_TEXT_SHARE = 0.25
#: Swedish free-text templates per category: no names, numbers or identifiers
TEXTS: dict[str, tuple[str, ...]] = {
    "open_sale": ("Misstänkt försäljning av narkotika.",
                  "Flera personer säljer öppet, kunder kommer och går.",
                  "Överlämningar observerade, korta möten med bilar.",
                  "Unga springpojkar syns vid platsen."),
    "open_use": ("Personer röker cannabis öppet.", "Synligt påverkade personer.",
                 "Injicering observerad."),
    "drug_litter": ("Sprutor hittade på marken.", "Använda kanyler i rabatten.",
                    "Folie och små påsar på marken."),
    "stash_found": ("Gömma med små påsar hittad.", "Gömt paket hittat, polis kontaktad."),
    "overdose": ("Person medvetslös, ambulans larmad.", "Misstänkt överdos, naloxon gavs."),
    "gathering": ("Stor grupp ungdomar samlas kvällstid.", "Grupp samlas och stör de boende.",
                  "Många okända personer i området."),
    "unsafe_place": ("Boende undviker platsen på kvällen.", "Trasig belysning, mörkt och otryggt.",
                     "Föräldrar uppger att barnen inte vågar gå här."),
    "violence": ("Slagsmål mellan flera personer.", "Misshandel observerad."),
    "robbery": ("Rån mot ungdom rapporterat.", "Person rånad på mobiltelefon."),
    "threat_to_staff": ("Personal hotad vid entrén.", "Väktare utsatt för hot."),
    "weapon": ("Kniv synlig i gruppen.", "Uppgift om vapen i området."),
    "shooting": ("Skottlossning hörd.", "Hylsor hittade på marken."),
    "vandalism": ("Krossad ruta i entrén.", "Sönderslagen belysning.", "Uppbruten dörr."),
    "graffiti": ("Nytt klotter på väggen.", "Taggar på fasaden."),
    "littering": ("Mycket skräp på platsen.", "Fimpar och burkar överallt."),
}


@dataclass(frozen=True, eq=False)
class ReportArrays:
    """Column arrays of all reports, sorted by ``occurred_from``.

    ``is_false`` and ``scene`` are ground truth: a loader must not store them.
    """

    occurred_from: np.ndarray
    occurred_to: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    accuracy_m: np.ndarray
    category: np.ndarray
    source: np.ndarray
    place: np.ndarray
    setting: np.ndarray
    persons: np.ndarray
    age_under_15: np.ndarray
    age_15_17: np.ndarray
    age_18_25: np.ndarray
    age_26_plus: np.ndarray
    gender_female: np.ndarray
    gender_male: np.ndarray
    gender_unknown: np.ndarray
    visibility: np.ndarray
    review: np.ndarray
    duplicate_of: np.ndarray
    text: list[str]
    is_false: np.ndarray
    scene: np.ndarray

    def __len__(self) -> int:
        return int(self.occurred_from.size)


@dataclass(frozen=True, eq=False)
class DemoCity:
    """The demo city: fixed geography, partners, sampled reports and the ground truth."""

    name: str
    slug: str
    timezone: str
    population: int
    centre: tuple[float, float]
    metric_crs: str
    districts: list[DistrictSpec]
    organisations: list[OrganisationSpec]
    places: list[PlaceSpec]
    reports: ReportArrays
    ground_truth: dict


# --- further demo cities ------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """How a further demo city (any slug but ``demo``) differs from Ljusfjärda: its name,
    fewer inhabitants, another police classification of some districts, and its place on
    the map (the same street plan, moved west so that the cities never overlap)."""

    name: str
    population_factor: float
    police_classes: dict[str, str]
    unemployment_rate: float
    ill_health_days: float


#: fictional statistics of Ljusfjärda (unemployment %, ill-health days per insured person
#: aged 16-64), in the range of the six mid-sized Swedish cities Brå's study compared
STATISTICS = {"unemployment_rate": 7.9, "ill_health_days": 21.6, "statistics_year": 2025}


#: the second demo city: smaller, with its especially vulnerable area in Granbo instead of
#: Lärkhöjden and Strändängen classified as vulnerable, so a comparison shows differences
SISTER = Variant(
    name="Gryningsvik", population_factor=0.72,
    police_classes={"larkhojden": "risk", "granbo": "especially_vulnerable",
                    "kvarnbacken": "none", "strandangen": "vulnerable"},
    unemployment_rate=10.7, ill_health_days=27.3,
)


def statistics_of(slug: str) -> dict[str, float | int]:
    """The fictional city statistics of a demo city (for comparing cities)."""
    if slug == CITY_SLUG:
        return dict(STATISTICS)
    return {"unemployment_rate": SISTER.unemployment_rate,
            "ill_health_days": SISTER.ill_health_days,
            "statistics_year": STATISTICS["statistics_year"]}


def demo_username(slug: str, username: str) -> str:
    """The login of a demo user in the demo city ``slug``: Ljusfjärda (slug ``demo``)
    keeps ``admin``, ``coordinator`` ...; another demo city prefixes its slug
    (``north-coordinator``), because usernames are global."""
    return username if slug == CITY_SLUG else f"{slug}-{username}"


def lon_shift(slug: str) -> float:
    """Degrees of longitude a further demo city is moved west (0.4 to 2.8, by slug)."""
    if slug == CITY_SLUG:
        return 0.0
    return -0.4 * (1 + zlib.crc32(slug.encode("utf-8")) % 7)


def _variant_geography(geo: Geography, v: Variant, name: str) -> Geography:
    districts = tuple(replace(d, police_class=v.police_classes.get(d.slug, d.police_class))
                      for d in geo.districts)
    # organisation slugs stay (other parts of the demo look partners up by them)
    orgs = tuple(replace(o, name=o.name.replace(CITY_NAME, name)) for o in geo.organisations)
    return replace(geo, districts=districts, organisations=orgs,
                   populations=tuple(round(p * v.population_factor) for p in geo.populations))


def _shift_ring(ring: list[tuple[float, float]], dlon: float) -> list[tuple[float, float]]:
    from drugscene.demo.geography import COORD_DECIMALS

    return [(round(x + dlon, COORD_DECIMALS), y) for x, y in ring]


def _moved(city: DemoCity, dlon: float) -> DemoCity:
    """The same city ``dlon`` degrees of longitude further east (negative: west)."""
    from drugscene.demo.geography import COORD_DECIMALS

    if dlon == 0:
        return city
    districts = [replace(d, polygon=_shift_ring(d.polygon, dlon)) for d in city.districts]
    places = [replace(p, lon=round(p.lon + dlon, COORD_DECIMALS),
                      polygon=_shift_ring(p.polygon, dlon) if p.polygon else None)
              for p in city.places]
    reports = replace(city.reports, lon=city.reports.lon + dlon)
    centre = (round(city.centre[0] + dlon, COORD_DECIMALS), city.centre[1])
    truth = dict(city.ground_truth)
    truth["city"] = {**truth["city"], "centre": list(centre)}
    return replace(city, districts=districts, places=places, reports=reports, centre=centre,
                   ground_truth=truth)


# --- time ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TimeAxis:
    """The local calendar days of the period and the UTC offset of every local hour."""

    start: date
    days: int
    naive_day: np.ndarray  # local midnight of each day read as UTC (epoch seconds)
    offset: np.ndarray  # UTC offset (s) of local hour slot day * 24 + hour
    day_of_year: np.ndarray
    weekday: np.ndarray  # Monday = 0
    month: np.ndarray  # index into month_labels
    month_labels: tuple[str, ...]
    start_epoch: int
    end_epoch: int

    def date_of(self, day: int) -> str:
        return (self.start + timedelta(days=int(day))).isoformat()

    def to_utc(self, day: np.ndarray, hour: np.ndarray, second: np.ndarray) -> np.ndarray:
        """UTC epoch seconds of local (day, hour, second within the hour).

        A wall-clock time in the spring-forward gap keeps the winter offset (it reads one
        hour later); a repeated autumn hour takes its first occurrence (``fold=0``).
        """
        return self.naive_day[day] + hour * 3600 + second - self.offset[day * 24 + hour]


def _utc_offset(d: date, hour: int, tz: ZoneInfo) -> int:
    """Seconds east of UTC of local ``d`` at ``hour`` o'clock in ``tz``."""
    off = datetime(d.year, d.month, d.day, hour, tzinfo=tz).utcoffset()
    assert off is not None
    return int(off.total_seconds())


def _time_axis(start: str, days: int) -> _TimeAxis:
    tz = ZoneInfo(TIMEZONE)
    d0 = date.fromisoformat(start)
    dates = np.datetime64(d0.isoformat(), "D") + np.arange(days)
    epoch_days = dates.astype(np.int64)
    offset = np.empty(days * 24, dtype=np.int64)
    for k in range(days):  # per day, not per report; per hour only on change days
        d = d0 + timedelta(days=k)
        offs = [_utc_offset(d, h, tz) for h in (0, 23)]
        if offs[0] != offs[1]:
            offset[k * 24:(k + 1) * 24] = [_utc_offset(d, h, tz) for h in range(24)]
        else:
            offset[k * 24:(k + 1) * 24] = offs[0]
    month_keys, month = np.unique(dates.astype("datetime64[M]"), return_inverse=True)
    end = d0 + timedelta(days=days)
    return _TimeAxis(
        start=d0, days=days, naive_day=epoch_days * 86_400, offset=offset,
        day_of_year=(dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1,
        weekday=(epoch_days + 3) % 7, month=month,
        month_labels=tuple(str(m) for m in month_keys),
        start_epoch=int(epoch_days[0] * 86_400 - offset[0]),
        end_epoch=int(datetime(end.year, end.month, end.day, tzinfo=tz).timestamp()),
    )


# --- the plan: daily intensities ------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    weights: np.ndarray  # (P + 1, D): the places, then the displaced flow into the receiver
    comp_place: np.ndarray  # (P + 1,) place of each component
    comp_housing: np.ndarray  # (P + 1,) uses the housing-area hour profile
    background: np.ndarray  # (districts, D)
    background_weight: np.ndarray  # (districts,) normalised
    dates: dict[str, str]


def _plan(geo: Geography, axis: _TimeAxis) -> _Plan:
    days, d = axis.days, np.arange(axis.days)
    index = {p.slug: i for i, p in enumerate(geo.places)}
    season = np.cos(2.0 * math.pi * (axis.day_of_year - SEASON_PEAK_DAY_OF_YEAR) / 365.25)
    weekday = WEEKDAY_PROFILE[axis.weekday] * 7.0
    indoor = np.array([p.indoor for p in geo.places])
    intensity = np.array([SCENES.get(p.slug, ("quiet", 0.0))[1] for p in geo.places])
    seasonal = np.where(indoor[:, None], 1.0 - INDOOR_AMPLITUDE * season,
                        1.0 + OUTDOOR_AMPLITUDE * season)
    w = intensity[:, None] * seasonal * weekday[None, :]

    camera_day = days // 2
    park_day = round(days * 120 / 730)
    park_end = park_day + min(122, days // 3)  # four months when the period allows
    emerging_day = days // 2 + min(30, days // 24)
    for slug, (role, _) in SCENES.items():
        if role == "emerging":
            w[index[slug]] *= np.clip((d - emerging_day) / (days - emerging_day), 0.0, 1.0)
        elif role == "fading":
            w[index[slug]] *= 0.5 ** (d / (days / 4.0))
    target, receiver = index[CAMERA_PLACE], index[DISPLACEMENT_RECEIVER]
    after = d >= camera_day
    displaced = DISPLACEMENT_SHARE * CAMERA_REDUCTION * w[target] * after
    w[target] *= np.where(after, 1.0 - CAMERA_REDUCTION, 1.0)
    w[index[PARK_PLACE]] *= np.where((d >= park_day) & (d < park_end), 1.0 - PARK_REDUCTION, 1.0)

    housing_district = np.array([x.police_class != "none" for x in geo.districts])
    comp_place = np.append(np.arange(len(geo.places)), receiver)
    bg = np.array([BACKGROUND_CLASS_FACTOR[x.police_class] * pop
                   for x, pop in zip(geo.districts, geo.populations, strict=True)])
    bg = bg / bg.sum()
    return _Plan(
        weights=np.vstack([w, displaced]),
        comp_place=comp_place,
        comp_housing=housing_district[geo.place_district[comp_place]],
        background=bg[:, None] * weekday[None, :],
        background_weight=bg,
        dates={"camera_start": axis.date_of(camera_day), "park_start": axis.date_of(park_day),
               "park_end": axis.date_of(park_end),
               "emerging_start": axis.date_of(emerging_day)},
    )


# --- reporting behaviour ---------------------------------------------------------------------


def _context(geo: Geography) -> np.ndarray:
    """Source multipliers (groups x sources): places, then district background, then false."""
    kinds = {k: i for i, k in enumerate(SOURCE_KINDS)}
    rows = []
    districts = [d.slug for d in geo.districts]
    places = [(PLACE_CLASS[p.place_type], p.district, p.owner_kind) for p in geo.places]
    for pclass, dslug, owner in [*places, *[("background", s, None) for s in districts]]:
        dist = geo.districts[districts.index(dslug)]
        row = np.ones(len(SOURCE_KINDS))
        row[kinds["police"]] = (POLICE_PATROL_CENTRE if dslug == "centrum"
                                else POLICE_PATROL[dist.police_class])
        row[kinds["housing_company"]] = (HOUSING_BACKGROUND if owner is None else
                                         HOUSING_OWN if owner == "housing_company"
                                         else HOUSING_OTHER)
        for kind in ("school", "youth_centre"):
            row[kinds[kind]] = (LOCAL_AT_YOUTH if pclass == "youth" else
                                LOCAL_HOME if dslug == HOME_DISTRICT[kind] else LOCAL_ELSEWHERE)
        row[kinds["business"]] = (BUSINESS_COMMERCIAL if pclass == "commercial" else
                                  BUSINESS_CENTRE if dslug == "centrum" else BUSINESS_ELSEWHERE)
        rows.append(row)
    false = np.ones(len(SOURCE_KINDS))
    false[[kinds["school"], kinds["youth_centre"], kinds["business"]]] = LOCAL_ELSEWHERE
    false[kinds["housing_company"]] = HOUSING_BACKGROUND
    false[kinds["citizen_channel"]] = CITIZEN_FALSE
    return np.vstack([*rows, false])


def _joint_table(geo: Geography) -> np.ndarray:
    """P(category, source | group) as an array (groups x categories x sources)."""
    classes = ([PLACE_CLASS[p.place_type] for p in geo.places]
               + ["background"] * len(geo.districts) + ["false"])
    mix = np.array([CATEGORY_MIX[c] for c in classes], dtype=np.float64)
    prop = np.array([PROPENSITY[k] for k in SOURCE_KINDS], dtype=np.float64).T  # (K, S)
    joint = mix[:, :, None] * prop[None, :, :] * _context(geo)[:, None, :]
    return joint / joint.sum(axis=(1, 2), keepdims=True)


def _sample_category_source(rng: np.random.Generator, joint: np.ndarray,
                            group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw (category, source) per report from its group's joint table (one search)."""
    n_groups, n_cat, n_src = joint.shape
    cdf = np.cumsum(joint.reshape(n_groups, -1), axis=1)
    cdf /= cdf[:, -1:]
    keyed = (cdf + np.arange(n_groups)[:, None]).ravel()  # groups stacked on [g, g + 1)
    cell = np.searchsorted(keyed, group + rng.random(group.size), side="right")
    cell = np.clip(cell - group * n_cat * n_src, 0, n_cat * n_src - 1)
    return cell // n_src, cell % n_src


def _other_source(rng: np.random.Generator, joint: np.ndarray, group: np.ndarray,
                  category: np.ndarray, source: np.ndarray) -> np.ndarray:
    """A source for a duplicate: as likely as in ``joint``, but not the original one."""
    w = joint[group, category, :].copy()
    w[np.arange(w.shape[0]), source] = 0.0
    cdf = np.cumsum(w, axis=1)
    pick = (cdf <= (rng.random(w.shape[0]) * cdf[:, -1])[:, None]).sum(axis=1)
    return np.where(cdf[:, -1] > 0, np.minimum(pick, w.shape[1] - 1),
                    (source + 1) % w.shape[1])


def _accuracy(rng: np.random.Generator, source: np.ndarray) -> np.ndarray:
    lo, hi = np.log(np.array([ACCURACY_M[k] for k in SOURCE_KINDS], dtype=np.float64)).T
    acc = np.exp(lo[source] + rng.random(source.size) * (hi[source] - lo[source]))
    return np.clip(np.rint(acc), 5, 200).astype(np.int32)


def _split(rng: np.random.Generator, total: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Multinomial split of ``total`` over columns of ``probs`` by sequential binomials."""
    out = np.zeros((total.size, probs.shape[1]), dtype=np.int64)
    left, mass = total.astype(np.int64), np.ones(total.size)
    for j in range(probs.shape[1] - 1):
        p = np.clip(probs[:, j] / np.maximum(mass, 1e-12), 0.0, 1.0)
        out[:, j] = rng.binomial(left, p)
        left, mass = left - out[:, j], mass - probs[:, j]
    out[:, -1] = left
    return out


def _people(rng: np.random.Generator, category: np.ndarray) -> dict[str, np.ndarray]:
    """Aggregate counts: persons, four age bands (sum <= persons), gender (sum == persons)."""
    spec = [PERSONS[c] for c in CATEGORY_SLUGS]
    stated_p, extra = (np.array([s[i] for s in spec]) for i in (0, 1))
    ages = np.array([AGE_PROFILES[s[2]] for s in spec])
    female = np.array([s[3] for s in spec])
    n = category.size
    stated = rng.random(n) < stated_p[category]
    persons = np.where(stated, 1 + rng.poisson(extra[category]), 0)
    assessed = np.where(rng.random(n) < AGES_STATED, rng.binomial(persons, AGE_ASSESSED), 0)
    bands = _split(rng, assessed, ages[category])
    unknown = rng.binomial(persons, GENDER_UNKNOWN)
    fem = rng.binomial(persons - unknown, female[category])
    out = {"persons": persons}
    out.update({name: bands[:, j] for j, name in enumerate(AGE_BANDS)})
    out.update(gender_female=fem, gender_male=persons - unknown - fem, gender_unknown=unknown)
    return {k: v.astype(np.int16) for k, v in out.items()}


def _texts(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    """One template per report (object array), ``""`` for a quarter of them."""
    flat = np.array(["", *[t for c in CATEGORY_SLUGS for t in TEXTS[c]]], dtype=object)
    count = np.array([len(TEXTS[c]) for c in CATEGORY_SLUGS])
    first = 1 + np.concatenate([[0], np.cumsum(count)[:-1]])
    pick = first[category] + (rng.random(category.size) * count[category]).astype(np.int64)
    return flat[np.where(rng.random(category.size) < EMPTY_TEXT_SHARE, 0, pick)]


def _review(rng: np.random.Generator, t: np.ndarray, is_false: np.ndarray,
            end_epoch: int) -> np.ndarray:
    recent = t >= end_epoch - RECENT_DAYS * 86_400
    u = rng.random(t.size)
    old, new = np.cumsum(REVIEW_OLD), np.cumsum(REVIEW_RECENT)
    true_status = np.where(recent, (u >= new[0]).astype(np.int8) + (u >= new[1]),
                           (u >= old[0]).astype(np.int8) + (u >= old[1]))
    rejected = np.where(recent, FALSE_REJECTED_RECENT, FALSE_REJECTED_OLD)
    # an old false report that was not rejected was (wrongly) confirmed; a recent one waits
    missed = np.where(recent, 0, 1)
    return np.where(is_false, np.where(u < rejected, 2, missed), true_status).astype(np.int8)


def _choice3(rng: np.random.Generator, n: int, probs: tuple[float, float, float]) -> np.ndarray:
    u = rng.random(n)
    return (u >= probs[0]).astype(np.int8) + (u >= probs[0] + probs[1])


# --- sampling ---------------------------------------------------------------------------------


def _sample_cells(rng: np.random.Generator, weights: np.ndarray,
                  n: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` (row, day) cells with probability proportional to ``weights``."""
    flat = weights.ravel()
    cell = np.repeat(np.arange(flat.size), rng.multinomial(n, flat / flat.sum()))
    return cell // weights.shape[1], cell % weights.shape[1]


def _sample_hours(rng: np.random.Generator, housing: np.ndarray) -> np.ndarray:
    u = rng.random(housing.size)
    centre = np.searchsorted(np.cumsum(HOUR_PROFILE), u, side="right")
    home = np.searchsorted(np.cumsum(HOUR_PROFILE_HOUSING), u, side="right")
    return np.minimum(np.where(housing, home, centre), 23)


def _scatter(rng: np.random.Generator, geo: Geography, xy: np.ndarray, anchor: np.ndarray,
             acc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reported lon/lat: ``xy`` plus a Gaussian error with sigma = accuracy / 2 per axis.

    A point that falls outside the city is put back on its ``anchor`` (inside the city).
    """
    moved = xy + rng.normal(size=xy.shape) * (acc[:, None] / 2.0)
    lon, lat = to_lonlat(moved[:, 0], moved[:, 1])
    out = ~shapely.contains_xy(geo.city_shape, lon, lat)
    lon[out], lat[out] = to_lonlat(anchor[out, 0], anchor[out, 1])
    return lon, lat


def generate(seed: int = 20261124, n_reports: int = 50_000, start: str = "2024-11-01",
             days: int = 730, *, slug: str = CITY_SLUG, name: str | None = None) -> DemoCity:
    """Generate the demo city with exactly ``n_reports`` reports.

    ``slug`` ``demo`` (the default) is Ljusfjärda. Any other slug builds a further demo
    city after :data:`SISTER` (named ``name``, by default Gryningsvik): the same street
    plan with fewer inhabitants and another police classification, moved west by
    :func:`lon_shift`; its reports differ through the seed and those settings.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same arguments give identical output.
    n_reports : int
        Number of reports, false reports and duplicates included.
    start : str
        First local calendar day of the period (ISO date, Europe/Stockholm).
    days : int
        Length of the period in days (at least 60); the planted dates scale with it.

    Returns
    -------
    DemoCity
        The city, its reports sorted by ``occurred_from``, and the ground truth.
    """
    if n_reports < 0 or days < 60:
        raise ValueError("need n_reports >= 0 and days >= 60")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > 40:
        raise ValueError("slug must be lowercase letters, digits and hyphens (at most 40)")
    geo = build_geography()
    variant = None if slug == CITY_SLUG else SISTER
    name = name or (variant.name if variant else CITY_NAME)
    if variant is not None:
        geo = _variant_geography(geo, variant, name)
    rng = np.random.default_rng(seed)
    axis = _time_axis(start, days)
    plan = _plan(geo, axis)
    joint = _joint_table(geo)
    n_places, n_districts = len(geo.places), len(geo.districts)
    n_false = round(FALSE_SHARE * n_reports)
    n_dup = round(DUPLICATE_SHARE * n_reports)
    n_real = n_reports - n_false - n_dup
    n_bg = round(BACKGROUND_SHARE * n_real)
    n_scene = n_real - n_bg

    # scene reports: component (a place or the displaced flow) and local day, then hour
    comp, s_day = _sample_cells(rng, plan.weights, n_scene)
    s_place = plan.comp_place[comp]
    s_time = axis.to_utc(s_day, _sample_hours(rng, plan.comp_housing[comp]),
                         rng.integers(0, 3600, n_scene))
    sigma = np.array([JITTER_M[p.place_type] for p in geo.places], dtype=np.float64)
    s_anchor = geo.place_xy[s_place]
    s_xy = s_anchor + rng.normal(size=(n_scene, 2)) * sigma[s_place, None]

    # background noise: district and day, then a uniform point in the district
    b_district, b_day = _sample_cells(rng, plan.background, n_bg)
    b_time = axis.to_utc(b_day, _sample_hours(rng, np.zeros(n_bg, dtype=bool)),
                         rng.integers(0, 3600, n_bg))
    b_xy = np.empty((n_bg, 2))
    for k in range(n_districts):  # per district, not per report
        rows = np.flatnonzero(b_district == k)
        b_xy[rows] = np.column_stack(sample_in_shape(rng, geo.district_shapes[k], rows.size))

    # false reports: uniform over the period and the city
    f_time = rng.integers(axis.start_epoch, axis.end_epoch, n_false)
    f_xy = np.column_stack(sample_in_shape(rng, geo.city_shape, n_false))

    n_base = n_real + n_false
    t_from = np.concatenate([s_time, b_time, f_time]).astype(np.int64)
    xy = np.vstack([s_xy, b_xy, f_xy])
    anchor = np.vstack([s_anchor, b_xy, f_xy])
    group = np.concatenate([s_place, n_places + b_district,
                            np.full(n_false, n_places + n_districts)]).astype(np.int64)
    category, source = _sample_category_source(rng, joint, group)
    acc = _accuracy(rng, source)
    lon, lat = _scatter(rng, geo, xy, anchor, acc)
    indoor = np.array([p.indoor for p in geo.places])
    s_setting = np.where(indoor[s_place], 2, 1).astype(np.int8)
    s_setting[rng.random(n_scene) < UNKNOWN_SETTING_SHARE] = 0
    setting = np.concatenate([s_setting, _choice3(rng, n_bg, BACKGROUND_SETTING),
                              _choice3(rng, n_false, FALSE_SETTING)])
    place = np.full(n_base, -1, dtype=np.int64)
    place[:n_scene] = np.where(rng.random(n_scene) < LINK_SHARE, s_place, -1)
    scene = np.concatenate([s_place, np.full(n_bg + n_false, -1)])
    t_to = np.where(rng.random(n_base) < INTERVAL_SHARE,
                    np.minimum(t_from + rng.integers(600, 10_801, n_base), axis.end_epoch - 1),
                    -1)
    t_to[(t_to >= 0) & (t_to - t_from < 600)] = -1

    # duplicates: another organisation reports the same real event within 30 min and 45 m
    eligible = np.flatnonzero(t_from[:n_real] < axis.end_epoch - 2 * DUPLICATE_WINDOW_S)
    if eligible.size == 0:
        eligible = np.arange(n_real)
    orig = np.sort(rng.choice(eligible, n_dup, replace=eligible.size < n_dup))
    d_source = _other_source(rng, joint, group[orig], category[orig], source[orig])
    d_from = t_from[orig] + rng.integers(60, DUPLICATE_WINDOW_S + 1, n_dup)
    d_to = np.minimum(t_to[orig] - t_from[orig] + d_from, axis.end_epoch - 1)
    d_to[(t_to[orig] < 0) | (d_to - d_from < 600)] = -1
    radius = DUPLICATE_RADIUS_M * np.sqrt(rng.random(n_dup))
    angle = rng.uniform(0.0, 2.0 * math.pi, n_dup)
    d_lon = lon[orig] + radius * np.cos(angle) / (M_PER_DEG_LAT * np.cos(np.radians(lat[orig])))
    d_lat = lat[orig] + radius * np.sin(angle) / M_PER_DEG_LAT
    out = ~shapely.contains_xy(geo.city_shape, d_lon, d_lat)
    d_lon[out], d_lat[out] = lon[orig][out], lat[orig][out]

    def join(values: np.ndarray, duplicates: np.ndarray) -> np.ndarray:
        """Real reports, then duplicates, then false reports."""
        return np.concatenate([values[:n_real], duplicates, values[n_real:]])

    occurred_from = join(t_from, d_from)
    category = join(category, category[orig])
    source = join(source, d_source)
    is_false = np.zeros(n_reports, dtype=bool)
    is_false[n_real + n_dup:] = True
    review = _review(rng, occurred_from, is_false, axis.end_epoch)
    review[n_real:n_real + n_dup] = 3
    duplicate_of = np.full(n_reports, -1, dtype=np.int64)
    duplicate_of[n_real:n_real + n_dup] = orig
    u = rng.random(n_reports)
    visibility = np.ones(n_reports, dtype=np.int8)
    visibility[(source == SOURCE_KINDS.index("police")) & (u < POLICE_RESTRICTED)] = 2
    visibility[(source == SOURCE_KINDS.index("municipality")) & (u < MUNICIPALITY_PUBLIC)] = 0
    columns = {
        "occurred_from": occurred_from,
        "occurred_to": join(t_to, d_to),
        "lon": join(lon, d_lon), "lat": join(lat, d_lat),
        "accuracy_m": join(acc, _accuracy(rng, d_source)).astype(np.int32),
        "category": category.astype(np.int16), "source": source.astype(np.int16),
        "place": join(place, place[orig]).astype(np.int32),
        "setting": join(setting, setting[orig]).astype(np.int8),
        **_people(rng, category),
        "visibility": visibility, "review": review, "duplicate_of": duplicate_of,
        "is_false": is_false, "scene": join(scene, scene[orig]).astype(np.int16),
    }
    text = _texts(rng, category)

    order = np.argsort(occurred_from, kind="stable")
    rank = np.empty(n_reports, dtype=np.int64)
    rank[order] = np.arange(n_reports)
    columns = {k: v[order] for k, v in columns.items()}
    dup = columns["duplicate_of"]
    columns["duplicate_of"] = np.where(dup >= 0, rank[np.maximum(dup, 0)], -1)
    reports = ReportArrays(text=text[order].tolist(), **columns)

    n_displaced = int(np.count_nonzero(comp == n_places))
    counts = {"reports": n_reports, "scene": n_scene - n_displaced, "displaced": n_displaced,
              "background": n_bg, "false": n_false, "duplicates": n_dup}
    truth = _ground_truth(geo, axis, plan, seed=seed, counts=counts, comp=comp)
    truth["city"] = {**truth["city"], "name": name, "slug": slug}
    city = DemoCity(
        name=name, slug=slug, timezone=TIMEZONE, population=sum(geo.populations),
        centre=CENTRE, metric_crs=METRIC_CRS, districts=list(geo.districts),
        organisations=list(geo.organisations), places=list(geo.places), reports=reports,
        ground_truth=truth,
    )
    return _moved(city, lon_shift(slug))


# --- ground truth ------------------------------------------------------------------------------


def _scene_with_role(role: str) -> str:
    return next(s for s, (r, _) in SCENES.items() if r == role)


def _rounded(values: np.ndarray, digits: int = 6) -> list[float]:
    return [round(float(v), digits) for v in values]


def _ground_truth(geo: Geography, axis: _TimeAxis, plan: _Plan, *, seed: int,
                  counts: dict[str, int], comp: np.ndarray) -> dict:
    """Everything that was planted, as plain JSON-serialisable values."""
    n_places = len(geo.places)
    scene_total = counts["scene"] + counts["displaced"]
    scale = scene_total / plan.weights.sum() if plan.weights.sum() > 0 else 0.0
    realised = np.bincount(comp, minlength=n_places + 1)
    monthly = np.zeros((plan.weights.shape[0], len(axis.month_labels)))
    for row in range(plan.weights.shape[0]):
        monthly[row] = np.bincount(axis.month, weights=plan.weights[row],
                                   minlength=len(axis.month_labels)) * scale
    pair_of = dict(PAIRS) | {b: a for a, b in PAIRS}
    index = {p.slug: i for i, p in enumerate(geo.places)}
    housing = {d.slug: d.police_class != "none" for d in geo.districts}
    places = []
    for i, p in enumerate(geo.places):
        role, intensity = SCENES.get(p.slug, ("silent", 0.0))
        places.append({
            "slug": p.slug, "index": i, "role": role, "intensity": intensity,
            "season": "indoor" if p.indoor else "outdoor",
            "hour_profile": "housing" if housing[p.district] else "centre",
            "category_class": PLACE_CLASS[p.place_type], "jitter_m": JITTER_M[p.place_type],
            "paired_with": pair_of.get(p.slug),
            "expected_reports": round(float(plan.weights[i].sum() * scale), 2),
            "realised_reports": int(realised[i]),
        })
    active = [p.slug for p in geo.places if SCENES.get(p.slug, ("quiet",))[0]
              in ("persistent", "emerging", "fading", "displacement_receiver")]
    target, receiver = geo.place_xy[index[CAMERA_PLACE]], geo.place_xy[index[DISPLACEMENT_RECEIVER]]
    patrol = {d.slug: (POLICE_PATROL_CENTRE if d.slug == "centrum"
                       else POLICE_PATROL[d.police_class]) for d in geo.districts}
    return {
        "schema": "drugscene-demo-ground-truth/1",
        "notes": {
            "intensity": "relative daily rate of a place at season factor 1 and the mean "
                         "weekday, before trends and interventions; expected_reports scales "
                         "it to this run",
            "realised_reports": "reports drawn from the place's own component, before "
                                "duplicates; displaced reports at the receiver are "
                                "counts.displaced",
            "dates": f"local calendar dates in {TIMEZONE}; every end date is exclusive",
            "index": "position in DemoCity.places, as in ReportArrays.place and .scene",
        },
        "generator": {"seed": seed, "start": axis.start.isoformat(), "days": axis.days,
                      "end_exclusive": axis.date_of(axis.days), "start_epoch": axis.start_epoch,
                      "end_epoch": axis.end_epoch, "timezone": TIMEZONE},
        "city": {"name": CITY_NAME, "slug": CITY_SLUG, "population": sum(geo.populations),
                 "centre": list(CENTRE), "metric_crs": METRIC_CRS},
        "counts": counts,
        "districts": [{"slug": d.slug, "police_class": d.police_class, "population": pop,
                       "background_weight": round(float(w), 6), "police_patrol": patrol[d.slug]}
                      for d, pop, w in zip(geo.districts, geo.populations,
                                           plan.background_weight, strict=True)],
        "places": places,
        "scenes": {role: sorted(s for s, (r, _) in SCENES.items() if r == role)
                   for role in ("persistent", "emerging", "fading", "displacement_receiver",
                                "minor", "quiet")}
        | {"silent": sorted(p.slug for p in geo.places if p.slug not in SCENES)},
        "pairs": [{"outdoor": a, "indoor": b} for a, b in PAIRS],
        "seasonality": {"peak_day_of_year": SEASON_PEAK_DAY_OF_YEAR,
                        "outdoor_amplitude": OUTDOOR_AMPLITUDE,
                        "indoor_amplitude": INDOOR_AMPLITUDE,
                        "formula": "outdoor 1 + A_out*c, indoor 1 - A_in*c, "
                                   "c = cos(2*pi*(day_of_year - peak)/365.25)"},
        "time_profiles": {"hour": _rounded(HOUR_PROFILE),
                          "hour_housing": _rounded(HOUR_PROFILE_HOUSING),
                          "weekday": _rounded(WEEKDAY_PROFILE), "weekday_labels":
                          list(WEEKDAY_LABELS), "clock": f"local time, {TIMEZONE}"},
        "interventions": [
            {"kind": "cameras", "place": CAMERA_PLACE, "start": plan.dates["camera_start"],
             "end": None, "reduction": CAMERA_REDUCTION,
             "displacement": {"receiver": DISPLACEMENT_RECEIVER, "share": DISPLACEMENT_SHARE,
                              "distance_m": round(float(np.hypot(*(target - receiver))), 1),
                              "realised_reports": counts["displaced"]}},
            {"kind": "lighting_and_activities", "place": PARK_PLACE,
             "start": plan.dates["park_start"], "end": plan.dates["park_end"],
             "end_exclusive": True, "reduction": PARK_REDUCTION, "displacement": None,
             "returns": True},
        ],
        "trends": {
            "emerging": {"place": _scene_with_role("emerging"), "start": plan.dates[
                "emerging_start"], "shape": "linear ramp from 0 at start to 1 at the end"},
            "fading": {"place": _scene_with_role("fading"), "shape": "halves every days/4",
                       "half_life_days": axis.days / 4.0},
        },
        "monthly_expected": {"months": list(axis.month_labels),
                             "places": {s: _rounded(monthly[index[s]], 2) for s in active},
                             "displaced": _rounded(monthly[-1], 2)},
        "reporting": {
            "sources": list(SOURCE_KINDS), "categories": list(CATEGORY_SLUGS),
            "propensity": {k: dict(zip(CATEGORY_SLUGS, v, strict=True))
                           for k, v in PROPENSITY.items()},
            "category_mix": {k: dict(zip(CATEGORY_SLUGS, (x / sum(v) for x in v), strict=True))
                             for k, v in CATEGORY_MIX.items()},
            "place_class": dict(PLACE_CLASS),
            "context": {"police_patrol": patrol, "housing_company": {
                "own_place": HOUSING_OWN, "other_place": HOUSING_OTHER,
                "background": HOUSING_BACKGROUND},
                "school_and_youth_centre": {"youth_place": LOCAL_AT_YOUTH,
                                            "home_district": LOCAL_HOME,
                                            "elsewhere": LOCAL_ELSEWHERE,
                                            "home": HOME_DISTRICT},
                "business": {"commercial_place": BUSINESS_COMMERCIAL,
                             "centrum": BUSINESS_CENTRE, "elsewhere": BUSINESS_ELSEWHERE},
                "citizen_channel": {"false_reports": CITIZEN_FALSE}},
            "accuracy_m": {k: list(v) for k, v in ACCURACY_M.items()},
            "position_error": "Gaussian per axis, sigma = accuracy_m / 2",
        },
        "noise": {"false_share": FALSE_SHARE, "duplicate_share": DUPLICATE_SHARE,
                  "background_share_of_real": BACKGROUND_SHARE,
                  "duplicate_window_s": DUPLICATE_WINDOW_S,
                  "duplicate_radius_m": DUPLICATE_RADIUS_M,
                  "background_class_factor": BACKGROUND_CLASS_FACTOR,
                  "background_setting": dict(zip(SETTINGS, BACKGROUND_SETTING, strict=True)),
                  "false_setting": dict(zip(SETTINGS, FALSE_SETTING, strict=True))},
        "report_fields": {"interval_share": INTERVAL_SHARE, "interval_s": [600, 10_800],
                          "place_link_share": LINK_SHARE,
                          "unknown_setting_share": UNKNOWN_SETTING_SHARE,
                          "empty_text_share": EMPTY_TEXT_SHARE},
        "review": {"recent_days": RECENT_DAYS,
                   "true_old": dict(zip(REVIEWS, REVIEW_OLD, strict=False)),
                   "true_recent": dict(zip(REVIEWS, REVIEW_RECENT, strict=False)),
                   "false_rejected_old": FALSE_REJECTED_OLD,
                   "false_rejected_recent": FALSE_REJECTED_RECENT},
        "visibility": {"police_restricted": POLICE_RESTRICTED,
                       "municipality_public": MUNICIPALITY_PUBLIC, "others": "partners"},
        "persons": {"by_category": {k: {"stated": v[0], "extra_mean": v[1], "age_profile": v[2],
                                        "female_share": v[3]} for k, v in PERSONS.items()},
                    "age_profiles": {k: dict(zip(AGE_BANDS, v, strict=True))
                                     for k, v in AGE_PROFILES.items()},
                    "ages_stated": AGES_STATED, "age_assessed": AGE_ASSESSED,
                    "gender_unknown": GENDER_UNKNOWN},
    }


def write_ground_truth(city: DemoCity, path: str | PathLike[str]) -> None:
    """Write ``city.ground_truth`` as UTF-8 JSON (sorted keys, indent 2)."""
    text = json.dumps(city.ground_truth, sort_keys=True, indent=2, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")

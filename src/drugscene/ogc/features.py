"""Features of the four collections: the same rows for the OGC API and for the exports.

A report keeps the columns of the CSV export (``reports.export``); places and actions get
flat properties of their own; a hot-spot cell is a polygon with its Gi* statistics.
Nothing here names a person: reporters and the users who created an action never appear.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from drugscene.actions.models import Action
from drugscene.cities.models import City
from drugscene.ogc.selectors import GRID_LAT, GRID_LON, HotSpots, day_bounds, snap
from drugscene.places.models import Place
from drugscene.reports.export import REPORT_SCHEMA, flat, report_dicts_of
from drugscene.reports.models import Report

#: properties of a report feature (``lon``/``lat`` are the geometry)
REPORT_PROPERTIES = tuple(name for name, _ in REPORT_SCHEMA if name not in ("id", "lon", "lat"))

PLACE_SCHEMA: tuple[tuple[str, str], ...] = (
    ("id", "int"), ("slug", "str"), ("name", "str"), ("place_type", "str"),
    ("district", "str"), ("owner_kind", "str"), ("indoor", "bool"), ("status", "str"),
    ("merged_into", "int"), ("created_at", "datetime"), ("lon", "float"), ("lat", "float"),
)
ACTION_SCHEMA: tuple[tuple[str, str], ...] = (
    ("id", "int"), ("title", "str"), ("kind", "str"), ("cpted_principle", "str"),
    ("status", "str"), ("start", "date"), ("end", "date"), ("owner", "str"),
    ("owner_name", "str"), ("owner_kind", "str"), ("place", "int"), ("place_name", "str"),
    ("district", "str"), ("patrol_minutes", "int"), ("patrol_visits_per_week", "int"),
    ("plan_action_ref", "str"), ("lon", "float"), ("lat", "float"),
)
HOTSPOT_SCHEMA: tuple[tuple[str, str], ...] = (
    ("cell", "str"), ("count", "int"), ("z", "float"), ("p", "float"), ("p_fdr", "float"),
    ("bin", "int"), ("window_start", "datetime"), ("window_end", "datetime"),
)


def _iso(value):
    """RFC 3339 text; times to the millisecond (GDAL reads fractions of a second as a
    float, and six digits such as .9999996 can round up to an invalid 1000 ms)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    return value.isoformat() if isinstance(value, date) else value


# --- reports --------------------------------------------------------------------------------

def generaliser(city: City):
    """The transform of a report dict for keyless callers (see ``ogc.selectors``)."""
    tz = ZoneInfo(city.timezone)

    def generalise(d: dict) -> dict:
        day = d["occurred_from"].astimezone(tz).date()
        start, end = day_bounds(day, tz)
        out = dict(d)
        out.update(
            lon=round(snap(d["lon"], GRID_LON), 6), lat=round(snap(d["lat"], GRID_LAT), 6),
            occurred_from=start, occurred_to=end, reported_at=None, accuracy_m=None,
            source=None, source_name=None, place=None, place_name=None, text="",
            scrubbed=[], restricted_to=[], persons=None, reviewed_at=None, duplicate_of=None,
            ages=dict.fromkeys(d["ages"]), genders=dict.fromkeys(d["genders"]),
        )
        return out

    return generalise


def report_rows(qs: QuerySet[Report], transform=None) -> list[dict]:
    """Flat report rows of an ordered, sliced queryset (read as values, not models)."""
    dicts = report_dicts_of(qs)
    if transform is not None:
        dicts = [transform(d) for d in dicts]
    return [flat(d) for d in dicts]


def report_feature(row: dict) -> dict:
    return {"type": "Feature", "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: _iso(row.get(k)) for k in REPORT_PROPERTIES}}


# --- places ---------------------------------------------------------------------------------

def place_row(p: Place) -> dict:
    return {"id": p.pk, "slug": p.slug, "name": p.name, "place_type": p.place_type,
            "district": p.area.slug if p.area_id else None, "owner_kind": p.owner_kind,
            "indoor": p.indoor, "status": p.status, "merged_into": p.merged_into_id,
            "created_at": p.created_at, "lon": p.lon, "lat": p.lat}


def place_feature(row: dict) -> dict:
    return {"type": "Feature", "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: _iso(row[k]) for k, _ in PLACE_SCHEMA
                           if k not in ("id", "lon", "lat")}}


# --- actions --------------------------------------------------------------------------------

def action_point(a: Action) -> tuple[float, float]:
    """The place of an action, or for a district-wide action a point inside the district."""
    if a.place_id:
        return a.place.lon, a.place.lat
    from shapely.geometry import shape

    pt = shape(a.area.geometry).representative_point()
    return round(pt.x, 7), round(pt.y, 7)


def action_row(a: Action) -> dict:
    lon, lat = action_point(a)
    return {"id": a.pk, "title": a.title, "kind": a.kind,
            "cpted_principle": a.cpted_principle or None, "status": a.status,
            "start": a.start, "end": a.end, "owner": a.owner.slug, "owner_name": a.owner.name,
            "owner_kind": a.owner.kind, "place": a.place_id,
            "place_name": a.place.name if a.place_id else None,
            "district": a.area.slug if a.area_id else None,
            "patrol_minutes": a.patrol_minutes,
            "patrol_visits_per_week": a.patrol_visits_per_week,
            "plan_action_ref": a.plan_action_ref, "lon": lon, "lat": lat}


def action_feature(row: dict) -> dict:
    return {"type": "Feature", "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: _iso(row[k]) for k, _ in ACTION_SCHEMA
                           if k not in ("id", "lon", "lat")}}


def action_queryset(qs: QuerySet[Action]) -> QuerySet[Action]:
    return qs.select_related("place", "area", "owner")


def action_day_bounds(a_start: date, a_end: date | None, tz: ZoneInfo
                      ) -> tuple[datetime, datetime | None]:
    """An action lasts from the start of its first day to the end of its last day."""
    start = day_bounds(a_start, tz)[0]
    return start, None if a_end is None else day_bounds(a_end, tz)[0] + timedelta(days=1)


# --- hot spots ------------------------------------------------------------------------------

def hotspot_rows(spots: HotSpots) -> Iterator[tuple[dict, list[list[float]]]]:
    for c in spots.cells:
        yield ({"cell": c.cell, "count": c.count, "z": c.z, "p": c.p, "p_fdr": c.p_fdr,
                "bin": c.bin, "window_start": spots.window_start,
                "window_end": spots.window_end}, c.ring)


def hotspot_feature(row: dict, ring: list[list[float]]) -> dict:
    return {"type": "Feature", "id": row["cell"],
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {k: _iso(row[k]) for k, _ in HOTSPOT_SCHEMA}}


# --- queryables (CQL2 filters) ----------------------------------------------------------------

def _queryables():
    from drugscene.ogc.cql2 import Queryable as Q

    s, i, n, b, d, t = "string", "integer", "number", "boolean", "date", "timestamp"
    reports = {
        "category": Q(s, "category__slug"), "source": Q(s, "source__slug"),
        "source_kind": Q(s, "source__kind"), "channel": Q(s, "channel"),
        "district": Q(s, "area__slug"), "place": Q(i, "place_id"),
        "place_name": Q(s, "place__name"), "setting": Q(s, "setting"),
        "persons": Q(i, "persons"), "age_under_15": Q(i, "age_under_15"),
        "age_15_17": Q(i, "age_15_17"), "age_18_25": Q(i, "age_18_25"),
        "age_26_plus": Q(i, "age_26_plus"), "gender_female": Q(i, "gender_female"),
        "gender_male": Q(i, "gender_male"), "gender_unknown": Q(i, "gender_unknown"),
        "visibility": Q(s, "visibility"), "review_status": Q(s, "review_status"),
        "accuracy_m": Q(i, "accuracy_m"), "occurred_from": Q(t, "occurred_from"),
        "occurred_to": Q(t, "occurred_to"), "reported_at": Q(t, "reported_at"),
    }
    keyless = {k: reports[k] for k in ("category", "source_kind", "channel", "district",
                                       "setting", "review_status")}
    places = {
        "slug": Q(s, "slug"), "name": Q(s, "name"), "place_type": Q(s, "place_type"),
        "district": Q(s, "area__slug"), "owner_kind": Q(s, "owner_kind"),
        "indoor": Q(b, "indoor"), "status": Q(s, "status"),
        "merged_into": Q(i, "merged_into_id"), "created_at": Q(t, "created_at"),
    }
    actions = {
        "title": Q(s, "title"), "kind": Q(s, "kind"),
        "cpted_principle": Q(s, "cpted_principle"), "status": Q(s, "status"),
        "start": Q(d, "start"), "end": Q(d, "end"), "owner": Q(s, "owner__slug"),
        "owner_name": Q(s, "owner__name"), "owner_kind": Q(s, "owner__kind"),
        "place": Q(i, "place_id"), "place_name": Q(s, "place__name"),
        "district": Q(s, "area__slug"), "patrol_minutes": Q(i, "patrol_minutes"),
        "patrol_visits_per_week": Q(i, "patrol_visits_per_week"),
        "plan_action_ref": Q(s, "plan_action_ref"),
    }
    hotspots = {"cell": Q(s), "count": Q(i), "z": Q(n), "p": Q(n), "p_fdr": Q(n),
                "bin": Q(i)}
    return {"reports": reports, "keyless-reports": keyless, "places": places,
            "actions": actions, "hotspots": hotspots}


QUERYABLES = _queryables()


def queryables_for(kind: str, keyless: bool) -> dict:
    return QUERYABLES["keyless-reports" if keyless and kind == "reports" else kind]

"""Load a generated :class:`~drugscene.demo.model.DemoCity` into the database.

The generator (``model.py``) is pure numpy; this module is the only part of the demo that
knows Django. Loading replaces an earlier city with the same slug. Rows are written in bulk
inside one transaction: a crash leaves the previous demo (or nothing) in place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from importlib import import_module

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from drugscene.accounts.models import Membership, Organisation, Role
from drugscene.cities.models import Area, City
from drugscene.geo import h3grid
from drugscene.geo.shapes import AreaIndex, polygon_geojson
from drugscene.places.models import Place
from drugscene.reports import bulk
from drugscene.reports.models import Category, Channel, Report, ReviewStatus
from drugscene.reports.services import ensure_default_categories

DEMO_PASSWORD = "drugscene-demo"  # noqa: S105  printed on purpose: demo accounts only

#: username -> (organisation kind, role); one user per role, plus partners that show
#: how visibility differs between organisations.
DEMO_USERS: dict[str, tuple[str, str]] = {
    "admin": ("municipality", Role.ADMIN),
    "coordinator": ("municipality", Role.COORDINATOR),
    "analyst": ("police", Role.ANALYST),
    "police": ("police", Role.REPORTER),
    "housing": ("housing_company", Role.REPORTER),
    "fieldworker": ("social_services", Role.REPORTER),
    "viewer": ("school", Role.VIEWER),
}

SETTINGS = ("unknown", "outdoor", "indoor")
VISIBILITY = ("public", "partners", "restricted")
REVIEW = (ReviewStatus.NEW, ReviewStatus.CONFIRMED, ReviewStatus.REJECTED, ReviewStatus.DUPLICATE)
CHUNK = 5000

Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def remove_city(slug: str) -> None:
    """Delete a city and everything in it, fast (reports are removed with raw deletes)."""
    city = City.objects.filter(slug=slug).first()
    if city is None:
        return
    through = Report.restricted_to.through
    through.objects.filter(report__city=city)._raw_delete(through.objects.db)
    Report.objects.filter(city=city).update(duplicate_of=None)
    Report.objects.filter(city=city)._raw_delete(Report.objects.db)
    users = list(
        Membership.objects.filter(organisation__city=city, is_demo=True).values_list("user_id",
                                                                                    flat=True)
    )
    Category.objects.filter(city=city).update(parent=None)
    city.delete()
    get_user_model().objects.filter(pk__in=users, memberships__isnull=True).delete()


def load(demo, progress: Progress = _noop) -> City:
    """Write ``demo`` (a DemoCity) to the database and return the new City."""
    from drugscene.demo.model import CATEGORY_SLUGS

    with transaction.atomic():
        remove_city(demo.slug)
        outline = _outline(demo)
        city = City.objects.create(
            slug=demo.slug, name=demo.name, timezone=demo.timezone, default_language="sv",
            population=demo.population, metric_crs=demo.metric_crs,
            centre_lon=demo.centre[0], centre_lat=demo.centre[1],
            boundary=polygon_geojson(outline),
        )
        areas = {
            d.slug: Area.objects.create(city=city, slug=d.slug, name=d.name,
                                        police_class=d.police_class,
                                        geometry=polygon_geojson(d.polygon))
            for d in demo.districts
        }
        orgs = [
            Organisation.objects.create(city=city, slug=o.slug, name=o.name, kind=o.kind)
            for o in demo.organisations
        ]
        places = [
            Place.objects.create(
                city=city, slug=p.slug, name=p.name, place_type=p.place_type, lon=p.lon,
                lat=p.lat, geometry=polygon_geojson(p.polygon) if p.polygon else None,
                area=areas[p.district], owner_kind=p.owner_kind, indoor=p.indoor,
            )
            for p in demo.places
        ]
        ensure_default_categories(city)
        cats = dict(Category.objects.filter(city=city).values_list("slug", "id"))
        cat_ids = np.array([cats[s] for s in CATEGORY_SLUGS], dtype=np.int64)
        users = _demo_users(orgs)
        reviewer = users["coordinator"].pk
        _load_reports(city, demo.reports, orgs, places, areas, cat_ids, reviewer, progress)
    _update_statistics()
    with transaction.atomic():
        _planted_actions(city, demo, orgs)
    for name in EXTENSIONS:
        with transaction.atomic():
            import_module(name).build(city, demo, orgs, progress)
    return city


#: Modules that add their part of the demo city after the reports and actions are loaded:
#: each has ``build(city, demo, orgs, progress)``, run in its own transaction, in this order.
EXTENSIONS = (
    "drugscene.indicators.demo",
    "drugscene.plans.demo",
    "drugscene.notifications.demo",
)


#: how the planted interventions appear as recorded actions
ACTION_KINDS = {"cameras": ("cameras", "surveillance", "Kameror på %s"),
                "lighting_and_activities": ("lighting", "activity_support",
                                            "Belysning och aktiviteter i %s")}


def _planted_actions(city: City, demo, orgs: list[Organisation]) -> None:
    """Record the ground truth's interventions as actions, with their follow-ups computed.

    The camera action has no end in the ground truth (the cameras stay); it is recorded as
    done on the last day of the demo, the day of its evaluation, so that its effect and
    displacement show up in the follow-up at its end.
    """
    from datetime import date

    from drugscene.actions.models import Action
    from drugscene.actions.services import schedule_follow_ups
    from drugscene.evaluation.services import compute_due

    owner = next(o for o in orgs if o.kind == "municipality")
    last_day = date.fromtimestamp(int(demo.reports.occurred_from.max()))
    for item in demo.ground_truth.get("interventions", []):
        place = Place.objects.get(city=city, slug=item["place"])
        kind, principle, title = ACTION_KINDS.get(item["kind"], ("other", "", "%s"))
        end = date.fromisoformat(item["end"]) if item.get("end") else last_day
        action = Action.objects.create(
            city=city, place=place, owner=owner, kind=kind, cpted_principle=principle,
            title=title % place.name, start=date.fromisoformat(item["start"]), end=end,
            status="done",
            description="Planterad åtgärd i demostaden (se ground truth).",
        )
        schedule_follow_ups(action)
    compute_due(last_day)


def _update_statistics() -> None:
    """Refresh the query planner's statistics after a bulk load (both databases need it to
    choose the time index for pages and the covering index for counts)."""
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _outline(demo) -> list[tuple[float, float]]:
    """The city boundary: the union of its districts."""
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    union = unary_union([Polygon(d.polygon) for d in demo.districts])
    if union.geom_type != "Polygon":
        union = union.convex_hull
    return list(union.exterior.coords)


def _demo_users(orgs: list[Organisation]) -> dict[str, object]:
    """The demo users (keyed by their name in ``DEMO_USERS``); a demo city other than
    ``demo`` prefixes their logins with its slug (``model.demo_username``)."""
    from drugscene.demo.model import demo_username

    User = get_user_model()
    by_kind = {}
    for o in orgs:
        by_kind.setdefault(o.kind, o)
    out = {}
    for username, (kind, role) in DEMO_USERS.items():
        login = demo_username(orgs[0].city.slug, username)
        user = User.objects.filter(username=login).first()
        if user is None:
            user = User.objects.create_user(username=login, password=DEMO_PASSWORD)
        else:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.create(user=user, organisation=by_kind[kind], role=role, is_demo=True)
        out[username] = user
    return out


def _load_reports(city, r, orgs, places, areas, cat_ids, reviewer_id, progress) -> None:
    n = len(r.lon)
    police = next(o.pk for o in orgs if o.kind == "police")
    org_ids = np.array([o.pk for o in orgs], dtype=np.int64)
    place_ids = np.array([p.pk for p in places] + [0], dtype=np.int64)
    index = AreaIndex.from_geojson([(a.pk, a.geometry) for a in areas.values()])
    area_ids = index.lookup(r.lon, r.lat)
    progress("cells", 0, n)
    cells = h3grid.cells_of(r.lon, r.lat)
    progress("cells", n, n)
    rng = np.random.default_rng(int(r.occurred_from[0]) if n else 0)
    delay = rng.gamma(1.5, 3 * 3600, n).astype(np.int64) + 120
    end = np.where(r.occurred_to >= 0, r.occurred_to, r.occurred_from)
    now = int(datetime.now(UTC).timestamp())
    reported = np.minimum(end + delay, now)
    reviewed = np.minimum(reported + rng.gamma(2.0, 8 * 3600, n).astype(np.int64), now)
    first_id = _next_id()
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    dup = np.where(r.duplicate_of >= 0, ids[np.maximum(r.duplicate_of, 0)], 0)
    channel = np.array([Channel.DEMO] * n, dtype=object)
    citizen = [o.pk for o in orgs if o.kind == "citizen_channel"]
    if citizen:
        channel[org_ids[r.source] == citizen[0]] = Channel.TIP

    # columns built with numpy, written by reports.bulk (executemany or COPY)
    times = bulk.times
    status = np.array(REVIEW, dtype=object)[r.review]
    reviewed_mask = r.review != 0
    columns = {
        "id": ids.tolist(),
        "city": [city.pk] * n,
        "occurred_from": times(r.occurred_from),
        "occurred_to": times(np.maximum(r.occurred_to, 0), r.occurred_to >= 0),
        "reported_at": times(reported),
        "lon": r.lon.tolist(), "lat": r.lat.tolist(), "accuracy_m": r.accuracy_m.tolist(),
        "h3_cell": cells.tolist(), "area": list(area_ids),
        "place": [int(place_ids[p]) if p >= 0 else None for p in r.place.tolist()],
        "category": cat_ids[r.category].tolist(), "source": org_ids[r.source].tolist(),
        "channel": [str(c) for c in channel], "persons": r.persons.tolist(),
        "age_under_15": r.age_under_15.tolist(), "age_15_17": r.age_15_17.tolist(),
        "age_18_25": r.age_18_25.tolist(), "age_26_plus": r.age_26_plus.tolist(),
        "gender_female": r.gender_female.tolist(), "gender_male": r.gender_male.tolist(),
        "gender_unknown": r.gender_unknown.tolist(),
        "setting": np.array(SETTINGS, dtype=object)[r.setting].tolist(),
        "text": list(r.text), "scrubbed": [""] * n,
        "visibility": np.array(VISIBILITY, dtype=object)[r.visibility].tolist(),
        "review_status": [str(v) for v in status],
        "reviewed_by": [reviewer_id if m else None for m in reviewed_mask.tolist()],
        "reviewed_at": times(reviewed, reviewed_mask),
        "duplicate_of": [int(d) if o >= 0 else None
                         for d, o in zip(dup.tolist(), r.duplicate_of.tolist(), strict=True)],
        "reporter": [None] * n, "external_id": [None] * n,
    }
    bulk.write_reports(columns, progress, chunk=CHUNK)
    restricted_rows = [(i, police) for i in ids[r.visibility == 2].tolist()]
    bulk.write_restricted(restricted_rows, chunk=CHUNK)
    _fix_sequence()


def _next_id() -> int:
    return bulk.next_id()


def _fix_sequence() -> None:
    """After explicit ids, move PostgreSQL's sequence past them (SQLite needs nothing)."""
    bulk.fix_sequence()

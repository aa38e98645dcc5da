"""Every write of safety walks and their findings: validated, scrubbed, one transaction,
one audit entry.

Coordinators record walks and their findings. A finding is a task for its responsible
organisation: its members (who may report) move it to *in progress* and *done*;
coordinators may also reject it (it will not be fixed) or reopen it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.accounts.models import Organisation, OrganisationKind
from drugscene.audit import services as audit
from drugscene.cities.models import Area, City
from drugscene.core.errors import PermissionDenied, ValidationFailed
from drugscene.core.validation import Problems, scrubbed, seat_organisation
from drugscene.geo.shapes import valid_lon_lat
from drugscene.walks import selectors
from drugscene.walks.models import Finding, FindingKind, FindingStatus, SafetyWalk

COORDINATE = Perm.MANAGE_PLACES
MAX_NOTES = 8000
MAX_NOTE = 2000
MAX_COUNT = 10_000
MAX_ROUTE_POINTS = 2000
MAX_FINDINGS = 50


def _require_coordinator(viewer: Viewer, city_id: int) -> None:
    if not viewer.can(COORDINATE, city_id):
        raise PermissionDenied(_("Only coordinators record safety walks."))


def _today(city: City) -> date:
    from zoneinfo import ZoneInfo

    return timezone.localdate(timezone=ZoneInfo(city.timezone))


def _inside(city: City, lon: float, lat: float) -> bool:
    if not city.boundary:
        return True
    import shapely

    from drugscene.cities.selectors import city_shape

    return bool(shapely.contains_xy(city_shape(city), lon, lat))


def _point(city: City, lon: float | None, lat: float | None, errors: Problems) -> None:
    if lon is None or lat is None:
        errors.add("lon", _("A position is required: tap the map or give the coordinates."))
    elif not valid_lon_lat(lon, lat):
        errors.add("lon", _("Coordinates out of range: longitude −180..180, latitude −90..90."))
    elif not _inside(city, lon, lat):
        errors.add("lon", _("The position lies outside %(city)s.") % {"city": city.name})


def clean_route(city: City, route: object, errors: Problems) -> dict | None:
    """A GeoJSON LineString inside the city (or ``None`` for no route)."""
    if route in (None, "", {}):
        return None
    if not isinstance(route, dict) or route.get("type") != "LineString":
        errors.add("route", _("The route must be a GeoJSON LineString."))
        return None
    coords = route.get("coordinates")
    if not isinstance(coords, list) or not 2 <= len(coords) <= MAX_ROUTE_POINTS:
        errors.add("route", _("A route has 2 to %(n)s points.") % {"n": MAX_ROUTE_POINTS})
        return None
    clean = []
    for pos in coords:
        ok = (isinstance(pos, list | tuple) and len(pos) in (2, 3)
              and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos))
        if not ok or not valid_lon_lat(float(pos[0]), float(pos[1])):
            errors.add("route", _("The route has a point that is not a valid longitude and "
                                  "latitude."))
            return None
        lon, lat = round(float(pos[0]), 6), round(float(pos[1]), 6)
        if not _inside(city, lon, lat):
            errors.add("route", _("The route leaves %(city)s.") % {"city": city.name})
            return None
        clean.append([lon, lat])
    return {"type": "LineString", "coordinates": clean}


def _organisation(city: City, org_id: int | None, errors: Problems, name: str
                  ) -> Organisation | None:
    if org_id is None:
        errors.add(name, _("Choose the organisation responsible."))
        return None
    org = (Organisation.objects.filter(city=city, pk=org_id)
           .exclude(kind=OrganisationKind.CITIZEN_CHANNEL).first())
    if org is None:
        errors.add(name, _("Unknown organisation."))
    return org


# --- findings -------------------------------------------------------------------------------

@dataclass
class FindingInput:
    kind: str
    lon: float | None
    lat: float | None
    owner_id: int | None
    note: str = ""
    due: date | None = None


def _clean_finding(city: City, data: FindingInput, walk_date: date | None) -> tuple[dict, Problems]:
    errors = Problems()
    if data.kind not in FindingKind.values:
        errors.add("kind", _("Choose what was found."))
    _point(city, data.lon, data.lat, errors)
    owner = _organisation(city, data.owner_id, errors, "owner")
    if len(data.note or "") > MAX_NOTE:
        errors.add("note", _("At most %(n)s characters.") % {"n": MAX_NOTE})
    if data.due is not None and walk_date is not None and data.due < walk_date:
        errors.add("due", _("The due date lies before the walk."))
    return {
        "kind": data.kind, "lon": data.lon, "lat": data.lat, "owner": owner,
        "note": scrubbed(data.note), "due": data.due,
    }, errors


def _finding_snapshot(finding: Finding) -> dict[str, object]:
    data = audit.snapshot(finding)
    data.pop("updated_at", None)
    return data


def add_finding(viewer: Viewer, walk_id: int, data: FindingInput) -> Finding:
    walk = selectors.get_walk(viewer, walk_id)
    _require_coordinator(viewer, walk.city_id)
    clean, errors = _clean_finding(walk.city, data, walk.date)
    errors.raise_if_any()
    with transaction.atomic():
        finding = Finding.objects.create(walk=walk, **clean)
        audit.record(action="create", obj=finding, changes=_finding_snapshot(finding),
                     user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, walk.city_id))
    return finding


def set_finding_status(viewer: Viewer, finding_id: int, status: str) -> Finding:
    """Move a finding along: open → in progress → done (or rejected by a coordinator)."""
    finding = selectors.get_finding(viewer, finding_id)
    city_id = finding.walk.city_id
    coordinator = viewer.can(COORDINATE, city_id)
    owner_member = (finding.owner_id in viewer.organisation_ids
                    and viewer.can(Perm.CREATE_REPORT, city_id))
    if not (coordinator or owner_member):
        raise PermissionDenied(_("Only the responsible organisation or a coordinator updates "
                                 "this finding."))
    if status not in FindingStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    if status == FindingStatus.REJECTED and not coordinator:
        raise PermissionDenied(_("Only coordinators reject a finding."))
    fields = ["status", "done_at"]
    with transaction.atomic():
        before = audit.snapshot(finding, fields)
        finding.status = status
        if status == FindingStatus.DONE:
            finding.done_at = finding.done_at or timezone.now()
        else:
            finding.done_at = None
        finding.save(update_fields=[*fields, "updated_at"])
        changes = audit.diff(before, audit.snapshot(finding, fields))
        if changes:
            audit.record(action="update", obj=finding, changes=changes,
                         user_id=viewer.user_id, organisation_id=seat_organisation(viewer, city_id))
    return finding


# --- walks ----------------------------------------------------------------------------------

@dataclass
class WalkInput:
    date: date | None
    area_id: int | None = None
    route: dict | None = None
    organisation_ids: list[int] = field(default_factory=list)
    residents_count: int = 0
    other_participants_count: int = 0
    notes: str = ""


def _clean_walk(city: City, data: WalkInput, errors: Problems) -> dict:
    if data.date is None:
        errors.add("date", _("Give the date of the walk."))
    elif data.date > _today(city) + timedelta(days=1):
        errors.add("date", _("Record a walk once it has taken place."))
    area = None
    if data.area_id is not None:
        area = Area.objects.filter(city=city, pk=data.area_id).first()
        if area is None:
            errors.add("area", _("Unknown district."))
    route = clean_route(city, data.route, errors)
    wanted = set(data.organisation_ids or [])
    orgs = list(Organisation.objects.filter(city=city, pk__in=wanted)
                .exclude(kind=OrganisationKind.CITIZEN_CHANNEL))
    if len(orgs) != len(wanted):
        errors.add("organisations", _("Unknown organisation."))
    for name in ("residents_count", "other_participants_count"):
        value = getattr(data, name)
        if not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            errors.add(name, _("Must be a whole number between 0 and %(max)s.")
                       % {"max": MAX_COUNT})
    if len(data.notes or "") > MAX_NOTES:
        errors.add("notes", _("At most %(n)s characters.") % {"n": MAX_NOTES})
    return {"date": data.date, "area": area, "route": route, "organisations": orgs,
            "residents_count": data.residents_count,
            "other_participants_count": data.other_participants_count,
            "notes": scrubbed(data.notes)}


def _walk_snapshot(walk: SafetyWalk) -> dict[str, object]:
    data = audit.snapshot(walk)
    data.pop("updated_at", None)
    data["organisations"] = sorted(walk.organisations.values_list("pk", flat=True))
    return data


def create_walk(viewer: Viewer, city: City, data: WalkInput,
                findings: Sequence[FindingInput] = ()) -> SafetyWalk:
    """Record a walk with its findings. Errors of the ``i``-th finding are named
    ``finding-<i>-<field>``; nothing is stored unless everything is valid."""
    _require_coordinator(viewer, city.pk)
    errors = Problems()
    clean = _clean_walk(city, data, errors)
    if len(findings) > MAX_FINDINGS:
        errors.add("findings", _("At most %(n)s findings per walk; add more later.")
                   % {"n": MAX_FINDINGS})
    cleaned = []
    for i, f in enumerate(findings):
        c, f_errors = _clean_finding(city, f, data.date)
        errors.merge(f"finding-{i}-", f_errors)
        cleaned.append(c)
    errors.raise_if_any()
    orgs = clean.pop("organisations")
    with transaction.atomic():
        walk = SafetyWalk.objects.create(city=city, **clean)
        walk.organisations.set(orgs)
        created = [Finding.objects.create(walk=walk, **c) for c in cleaned]
        changes = _walk_snapshot(walk)
        changes["findings"] = [_finding_snapshot(f) for f in created]
        audit.record(action="create", obj=walk, changes=changes, user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, city.pk))
    return walk


def update_walk(viewer: Viewer, walk_id: int, data: WalkInput) -> SafetyWalk:
    walk = selectors.get_walk(viewer, walk_id)
    city = walk.city
    _require_coordinator(viewer, city.pk)
    errors = Problems()
    clean = _clean_walk(city, data, errors)
    errors.raise_if_any()
    orgs = clean.pop("organisations")
    with transaction.atomic():
        before = _walk_snapshot(walk)
        for name, value in clean.items():
            setattr(walk, name, value)
        walk.save()
        walk.organisations.set(orgs)
        changes = audit.diff(before, _walk_snapshot(walk))
        if changes:
            audit.record(action="update", obj=walk, changes=changes, user_id=viewer.user_id,
                         organisation_id=seat_organisation(viewer, city.pk))
    return walk

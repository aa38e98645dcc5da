"""Candidate scenes: cells the emerging hot-spot analysis flags that belong to no
registered place, proposed to the coordinator (accept → a new suspected place; dismiss
with a reason). A registered place nearby that fades while the cell rises is named as
``moved_from`` (scenes are mobile).

The analysis is :mod:`drugscene.analysis.emerging` (Esri's method) on the drug-related
reports of the last ``weeks`` weeks that every partner may see (public and partners
visibility; rejected reports and duplicates left out), so the list may be shown to every
member of the city without leaking restricted reports.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import h3
import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.accounts.access import Perm, Viewer
from drugscene.analysis.area import from_geojson
from drugscene.analysis.emerging import emerging_hot_spots
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.grid import h3_grid, space_time_cube
from drugscene.analysis.neighbours import h3_rings
from drugscene.analysis.points import Points
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import NotVisible, PermissionDenied
from drugscene.places.models import Place, PlaceStatus, PlaceType
from drugscene.reports.models import Report, ReviewStatus, Visibility
from drugscene.scenes import services
from drugscene.scenes.checks import Problems, check_text, city_today, seat_organisation
from drugscene.scenes.models import CandidateScene, CandidateStatus

DAY = 86_400
#: emerging categories that make a candidate, most urgent first
CANDIDATE_CATEGORIES: tuple[str, ...] = (
    "new_hot", "consecutive_hot", "intensifying_hot", "persistent_hot")
CATEGORY_LABELS = {
    "new_hot": gettext_lazy("New hot spot"),
    "consecutive_hot": gettext_lazy("Consecutive hot spot"),
    "intensifying_hot": gettext_lazy("Intensifying hot spot"),
    "persistent_hot": gettext_lazy("Persistent hot spot"),
}
#: a cell closer than this to a registered place belongs to that place
PLACE_RADIUS_M = 250.0
#: registered places within this distance may be where a rising scene came from
MOVE_RADIUS_M = 1000.0
#: reports within this distance of a place count as the place's own (fading test)
PLACE_COUNT_RADIUS_M = 250.0
#: a place fades when its last step has fewer than this share of its earlier mean ...
FADE_SHARE = 0.5
#: ... and that mean is at least this many reports per step
FADE_MIN_MEAN = 2.0
#: a cell dismissed this recently is not proposed again
DISMISS_QUIET_DAYS = 90
MIN_REPORTS = 10
EARTH_R = 6_371_008.8


def distance_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (broadcasting numpy arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_R * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _points(city: City, start: int, end: int) -> Points | None:
    rows = list(
        Report.objects.filter(
            city=city, category__drug_related=True,
            visibility__in=[Visibility.PUBLIC, Visibility.PARTNERS],
            occurred_from__gte=datetime.fromtimestamp(start, UTC),
            occurred_from__lt=datetime.fromtimestamp(end, UTC))
        .exclude(review_status__in=[ReviewStatus.REJECTED, ReviewStatus.DUPLICATE])
        .order_by().values_list("lon", "lat", "occurred_from"))
    if len(rows) < MIN_REPORTS:
        return None
    lon, lat, when = zip(*rows, strict=True)
    t = np.fromiter((w.timestamp() for w in when), dtype=np.float64, count=len(when))
    return Points(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64),
                  t.astype(np.int64), origin=f"drug-related reports of {city.slug}")


def _fading(places: list[Place], pts: Points, start: int, step: int, n_steps: int
            ) -> dict[int, bool]:
    """Place id → whether its own reports fade: the last step holds fewer than half the
    mean of the steps before (which is at least :data:`FADE_MIN_MEAN`)."""
    out = {}
    for p in places:
        near = distance_m(p.lon, p.lat, pts.lon, pts.lat) <= PLACE_COUNT_RADIUS_M
        k = (pts.t[near] - start) // step
        k = k[(k >= 0) & (k < n_steps)]
        counts = np.bincount(k, minlength=n_steps)
        before = counts[:-1].mean() if n_steps > 1 else 0.0
        out[p.pk] = bool(before >= FADE_MIN_MEAN and counts[-1] < FADE_SHARE * before)
    return out


def refresh_candidates(city: City, *, today: date | None = None, resolution: int = 9,
                       rings: int = 1, step_days: int = 28, weeks: int = 52
                       ) -> list[CandidateScene]:
    """Run the emerging hot-spot analysis for ``city`` and upsert the open candidates.

    The period ends at the UTC midnight after ``today`` (default: today in the city) and
    reaches back ``weeks`` weeks; time steps of ``step_days`` are laid back from the end,
    so the final step — the one the categories hinge on — is whole (as
    ``drugscene analyse emerging`` does). Open candidates the analysis no longer flags are
    removed (nobody decided on them); accepted and dismissed ones stay as history. Cells
    dismissed in the last :data:`DISMISS_QUIET_DAYS` days and cells next to an accepted
    candidate (:func:`_claimed`) are not proposed.
    Returns the open candidates of this run, most urgent first.
    """
    today = today or city_today(city)
    step = int(step_days) * DAY
    end = int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp()) + DAY
    n_steps = (int(weeks) * 7 * DAY) // step
    start = end - n_steps * step
    now = timezone.now()
    keep: list[CandidateScene] = []
    pts = _points(city, start, end) if city.boundary and n_steps >= 2 else None
    found: list[dict] = []
    if pts is not None:
        try:
            area = from_geojson(city.boundary, "city boundary")
            grid = h3_grid(area, resolution, pts)
            cube = space_time_cube(grid, pts, step, start, end)
            result = emerging_hot_spots(
                cube, h3_rings(grid.cells, rings, centres=grid.centroids()))
        except AnalysisError:
            result = None
        if result is not None:
            found = _flagged(city, grid, result, pts, start, step, n_steps, now)
    with transaction.atomic():
        open_qs = CandidateScene.objects.select_for_update().filter(
            city=city, status=CandidateStatus.OPEN)
        existing = {c.cell: c for c in open_qs}
        for row in found:
            cand = existing.pop(row["cell"], None)
            if cand is None:
                cand = CandidateScene(city=city, cell=row["cell"])
            for key, value in row.items():
                setattr(cand, key, value)
            cand.resolution = resolution
            cand.analysed_at = now
            cand.period_end = today
            cand.save()
            keep.append(cand)
        CandidateScene.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    return keep


def _flagged(city: City, grid, result, pts: Points, start: int, step: int, n_steps: int,
             now: datetime) -> list[dict]:
    codes = result.codes()
    wanted = np.flatnonzero(np.isin(codes, CANDIDATE_CATEGORIES))
    if not wanted.size:
        return []
    ids = grid.cell_ids()
    clon, clat = grid.centroids()
    places = list(Place.objects.filter(city=city, merged_into__isnull=True)
                  .exclude(status=PlaceStatus.RESOLVED))
    plon = np.array([p.lon for p in places], dtype=np.float64)
    plat = np.array([p.lat for p in places], dtype=np.float64)
    quiet = set(CandidateScene.objects.filter(
        city=city, status=CandidateStatus.DISMISSED,
        decided_at__gte=now - timedelta(days=DISMISS_QUIET_DAYS)).values_list("cell",
                                                                              flat=True))
    claimed = _claimed(city)
    fading = None
    rank = {c: i for i, c in enumerate(CANDIDATE_CATEGORIES)}
    rows = []
    for i in wanted.tolist():
        cell = ids[i]
        if cell in quiet or cell in claimed:
            continue
        lon, lat = float(clon[i]), float(clat[i])
        dist = distance_m(lon, lat, plon, plat) if places else np.array([])
        if dist.size and dist.min() <= PLACE_RADIUS_M:
            continue
        moved_from = None
        near = [(d, p) for d, p in zip(dist.tolist(), places, strict=True)
                if d <= MOVE_RADIUS_M]
        if near:
            if fading is None:
                fading = _fading(places, pts, start, step, n_steps)
            faded = sorted((d, p.pk, p) for d, p in near if fading[p.pk])
            moved_from = faded[0][2] if faded else None
        rows.append({
            "cell": cell, "category_code": str(codes[i]),
            "trend_z": float(np.nan_to_num(result.trend_z[i])),
            "reports": int(result.counts[i].sum()), "lon": lon, "lat": lat,
            "moved_from": moved_from,
        })
    rows.sort(key=lambda r: (rank[r["category_code"]], -r["trend_z"]))
    return rows


def _neighbourhood(cell: str) -> set[str]:
    try:
        return set(h3.grid_disk(cell, 1))
    except (ValueError, h3.H3BaseException):
        return {cell}


def _claimed(city: City) -> set[str]:
    """Cells of accepted candidates and their first ring while the place they became is
    neither resolved nor merged: the rest of a scene that spans a few cells belongs to it."""
    out: set[str] = set()
    for cell in (CandidateScene.objects
                 .filter(city=city, status=CandidateStatus.ACCEPTED,
                         place__merged_into__isnull=True)
                 .exclude(place__status=PlaceStatus.RESOLVED).values_list("cell", flat=True)):
        out |= _neighbourhood(cell)
    return out


# --- decisions -------------------------------------------------------------------------------

def _candidate(viewer: Viewer, candidate_id: int) -> CandidateScene:
    """The candidate, locked, for a coordinator of its city."""
    cand = (CandidateScene.objects.select_for_update().select_related("city")
            .filter(pk=candidate_id).first())
    if cand is None or not (viewer.is_superuser
                            or viewer.can(Perm.VIEW_REPORTS, cand.city_id)):
        raise NotVisible(_("Not found."))
    if not viewer.can(Perm.MANAGE_PLACES, cand.city_id):
        raise PermissionDenied(_("Only coordinators decide on candidate scenes."))
    return cand


def _decided(problems: Problems, cand: CandidateScene) -> None:
    if cand.status != CandidateStatus.OPEN:
        problems.add("status", _("This candidate was already %(status)s.")
                     % {"status": cand.get_status_display()})


def accept_candidate(viewer: Viewer, candidate_id: int, name: str,
                     place_type: str = PlaceType.SQUARE) -> Place:
    """Register a suspected place at the candidate's cell centre and link it."""
    with transaction.atomic():
        cand = _candidate(viewer, candidate_id)
        problems = Problems()
        _decided(problems, cand)
        problems.raise_if_any()
        note = _("From the emerging hot-spot analysis: %(label)s, cell %(cell)s, "
                 "%(n)s reports up to %(end)s.") % {
            "label": CATEGORY_LABELS.get(cand.category_code, cand.category_code),
            "cell": cand.cell, "n": cand.reports, "end": cand.period_end.isoformat()}
        place = services.register_place(
            viewer, cand.city, name=name, place_type=place_type, lon=cand.lon, lat=cand.lat,
            status=PlaceStatus.SUSPECTED, note=note)
        before = audit.snapshot(cand)
        cand.status = CandidateStatus.ACCEPTED
        cand.place = place
        cand.decided_by_id = viewer.user_id
        cand.decided_at = timezone.now()
        cand.save()
        audit.record(action="update", obj=cand, changes=audit.diff(before, audit.snapshot(cand)),
                     user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, cand.city_id))
        # open candidates next to it are the same scene: drop them (undecided proposals)
        CandidateScene.objects.filter(
            city_id=cand.city_id, status=CandidateStatus.OPEN,
            cell__in=_neighbourhood(cand.cell) - {cand.cell}).delete()
    return place


def dismiss_candidate(viewer: Viewer, candidate_id: int, reason: str) -> CandidateScene:
    """Dismiss a candidate with a reason (scrubbed of identifiers); the cell is not
    proposed again for :data:`DISMISS_QUIET_DAYS` days."""
    with transaction.atomic():
        cand = _candidate(viewer, candidate_id)
        problems = Problems()
        _decided(problems, cand)
        text = check_text(problems, "reason", reason, required=True)
        problems.raise_if_any()
        before = audit.snapshot(cand)
        cand.status = CandidateStatus.DISMISSED
        cand.reason = text
        cand.decided_by_id = viewer.user_id
        cand.decided_at = timezone.now()
        cand.save()
        audit.record(action="update", obj=cand, changes=audit.diff(before, audit.snapshot(cand)),
                     user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, cand.city_id))
    return cand

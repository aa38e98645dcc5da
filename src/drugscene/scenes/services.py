"""Writes of the scene register: register a place with its first status, change its
status, merge and split places, record assessments (*bedömning*) and cause analyses
(*orsaksanalys*). Each call is one transaction with one audit entry; problems are raised
together, by field name; free text is scrubbed of identifiers before storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import NotVisible, PermissionDenied, ValidationFailed
from drugscene.places.models import OwnerKind, Place, PlaceStatus
from drugscene.places.selectors import get_place
from drugscene.places.services import clean_place, insert_place
from drugscene.scenes import selectors
from drugscene.scenes.checks import (
    Problems,
    check_count,
    check_date,
    check_organisation,
    check_text,
    city_today,
    seat_organisation,
)
from drugscene.scenes.models import (
    ASPECTS,
    SYMPTOMS,
    Affected,
    Answer,
    Assessment,
    CauseAnalysis,
    CauseFactor,
    Factor,
    LinkKind,
    PlaceLink,
    PlaceStatusChange,
    Rating,
    SceneForm,
)

S = PlaceStatus
#: Allowed lifecycle steps. Any status may become dormant or resolved; a resolved or
#: dormant scene may come back (scenes are mobile and return when a project ends).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUSPECTED: frozenset({S.ACTIVE, S.DORMANT, S.RESOLVED}),
    S.ACTIVE: frozenset({S.UNDER_ACTION, S.DORMANT, S.RESOLVED}),
    S.UNDER_ACTION: frozenset({S.ACTIVE, S.DORMANT, S.RESOLVED}),
    S.DORMANT: frozenset({S.SUSPECTED, S.ACTIVE, S.RESOLVED}),
    S.RESOLVED: frozenset({S.SUSPECTED, S.ACTIVE, S.DORMANT}),
}


def _manage(viewer: Viewer, city_id: int) -> None:
    if not viewer.can(Perm.MANAGE_PLACES, city_id):
        raise PermissionDenied(_("Only coordinators manage the scene register."))


def _place(viewer: Viewer, place_id: int) -> Place:
    place = get_place(viewer, place_id)
    _manage(viewer, place.city_id)
    return place


def _record(viewer: Viewer, city_id: int, action: str, obj, changes: dict) -> None:
    audit.record(action=action, obj=obj, changes=changes, user_id=viewer.user_id,
                 organisation_id=seat_organisation(viewer, city_id))


# --- lifecycle -------------------------------------------------------------------------------

def register_place(viewer: Viewer, city: City, *, name: str, place_type: str,
                   lon: float | None, lat: float | None,
                   owner_kind: str = OwnerKind.UNKNOWN, indoor: bool = False,
                   geometry: dict | None = None, status: str = S.SUSPECTED,
                   date: date | None = None, note: str = "") -> Place:
    """Register a place with its first lifecycle step (status and date)."""
    _manage(viewer, city.pk)
    problems = Problems()
    for name_, messages in clean_place(city, name=name, place_type=place_type, lon=lon,
                                       lat=lat, owner_kind=owner_kind, geometry=geometry,
                                       status=status).items():
        for m in messages:
            problems.add(name_, m)
    day = date or city_today(city)
    check_date(problems, "date", day, city)
    note = check_text(problems, "note", note)
    problems.raise_if_any()
    with transaction.atomic():
        place = insert_place(city, name=name, place_type=place_type, lon=lon, lat=lat,
                             owner_kind=owner_kind, geometry=geometry, indoor=indoor,
                             status=status)
        PlaceStatusChange.objects.create(
            place=place, from_status="", status=status, date=day,
            organisation_id=seat_organisation(viewer, city.pk), note=note,
            created_by_id=viewer.user_id)
        _record(viewer, city.pk, "create", place,
                {**audit.snapshot(place), "status_date": day.isoformat(), "note": note})
    return place


def change_status(viewer: Viewer, place_id: int, status: str, *, date: date | None = None,
                  note: str = "", organisation_id: int | None = None) -> PlaceStatusChange:
    """Move a place to ``status`` on ``date`` (default today), by an organisation."""
    place = _place(viewer, place_id)
    city = place.city
    problems = Problems()
    if place.merged_into_id:
        problems.add("status", _("This place was merged into %(name)s; change that place "
                                 "instead.") % {"name": place.merged_into.name})
    elif status not in S.values:
        problems.add("status", _("Unknown value."))
    elif status == place.status:
        problems.add("status", _("The place already has this status."))
    elif status not in TRANSITIONS[place.status]:
        problems.add("status", _("A place cannot go from “%(from)s” to “%(to)s”.")
                     % {"from": S(place.status).label, "to": S(status).label})
    day = date or city_today(city)
    check_date(problems, "date", day, city)
    last = place.status_changes.order_by("-date", "-id").first()
    if last is not None and "date" not in problems.errors and day < last.date:
        problems.add("date", _("The last change was recorded on %(day)s; a new one cannot "
                               "lie before it.") % {"day": last.date.isoformat()})
    org = organisation_id if organisation_id is not None else seat_organisation(viewer,
                                                                                 city.pk)
    check_organisation(problems, "organisation", org, city)
    note = check_text(problems, "note", note)
    problems.raise_if_any()
    with transaction.atomic():
        before = place.status
        change = PlaceStatusChange.objects.create(
            place=place, from_status=before, status=status, date=day, organisation_id=org,
            note=note, created_by_id=viewer.user_id)
        place.status = status
        place.save(update_fields=["status"])
        _record(viewer, city.pk, "status", place,
                {"status": [before, status], "date": day.isoformat(), "organisation": org,
                 "note": note})
    return change


def merge_places(viewer: Viewer, ids: Sequence[int], into: int, date: date | None = None,
                 note: str = "") -> Place:
    """Merge the places ``ids`` into the place ``into``: they become resolved, point to
    ``into`` (``merged_into``) and their reports, still linked to them, count for it."""
    problems = Problems()
    try:
        target = _place(viewer, into)
    except NotVisible:
        raise ValidationFailed(_("Unknown place."), field="into") from None
    city = target.city
    if target.merged_into_id:
        problems.add("into", _("This place was itself merged into another."))
    unique = list(dict.fromkeys(int(i) for i in ids))
    if not unique:
        problems.add("places", _("Choose at least one place to merge."))
    found = {p.pk: p for p in Place.objects.filter(city=city, pk__in=unique)}
    if len(found) != len(unique):
        problems.add("places", _("Unknown place."))
    if target.pk in found:
        problems.add("places", _("A place cannot be merged into itself."))
    if any(p.merged_into_id for p in found.values()):
        problems.add("places", _("A chosen place was already merged into another."))
    day = date or city_today(city)
    check_date(problems, "date", day, city)
    note = check_text(problems, "note", note)
    problems.raise_if_any()
    org = seat_organisation(viewer, city.pk)
    with transaction.atomic():
        before = {}
        for pk in unique:
            p = found[pk]
            before[pk] = p.status
            PlaceStatusChange.objects.create(
                place=p, from_status=p.status, status=S.RESOLVED, date=day,
                organisation_id=org, created_by_id=viewer.user_id,
                note=_("Merged into %(name)s.") % {"name": target.name}
                + (f" {note}" if note else ""))
            PlaceLink.objects.create(kind=LinkKind.MERGED_INTO, from_place=p, to_place=target,
                                     date=day, note=note, created_by_id=viewer.user_id)
            p.status = S.RESOLVED
            p.merged_into = target
            p.save(update_fields=["status", "merged_into"])
        _record(viewer, city.pk, "merge", target,
                {"merged": unique, "status_before": before, "date": day.isoformat(),
                 "note": note})
    return target


@dataclass
class PlacePart:
    """One new place split off an existing one (owner and indoor default to the
    original's)."""

    name: str
    place_type: str
    lon: float | None
    lat: float | None
    owner_kind: str | None = None
    indoor: bool | None = None
    geometry: dict | None = None


def split_place(viewer: Viewer, place_id: int, parts: Sequence[PlacePart], *,
                date: date | None = None, note: str = "",
                close_original: bool = True) -> list[Place]:
    """Split new places off ``place_id``. The new places take the original's status
    (suspected if it was resolved); the original is resolved when ``close_original``.
    Reports stay linked to the original. Problems of part *n* are named ``part<n>_<field>``.
    """
    original = _place(viewer, place_id)
    city = original.city
    problems = Problems()
    if original.merged_into_id:
        problems.add("place", _("This place was merged into %(name)s; split that place "
                                "instead.") % {"name": original.merged_into.name})
    if not parts:
        problems.add("part1_name", _("Describe at least one new place."))
    status = S.SUSPECTED if original.status == S.RESOLVED else original.status
    for n, part in enumerate(parts, start=1):
        for name_, messages in clean_place(
                city, name=part.name, place_type=part.place_type, lon=part.lon, lat=part.lat,
                owner_kind=part.owner_kind or original.owner_kind,
                geometry=part.geometry).items():
            for m in messages:
                problems.add(f"part{n}_{name_}", m)
    day = date or city_today(city)
    check_date(problems, "date", day, city)
    note = check_text(problems, "note", note)
    problems.raise_if_any()
    org = seat_organisation(viewer, city.pk)
    with transaction.atomic():
        created = []
        for part in parts:
            p = insert_place(
                city, name=part.name, place_type=part.place_type, lon=part.lon, lat=part.lat,
                owner_kind=part.owner_kind or original.owner_kind,
                indoor=original.indoor if part.indoor is None else part.indoor,
                geometry=part.geometry, status=status)
            PlaceStatusChange.objects.create(
                place=p, from_status="", status=status, date=day, organisation_id=org,
                created_by_id=viewer.user_id,
                note=_("Split off %(name)s.") % {"name": original.name}
                + (f" {note}" if note else ""))
            PlaceLink.objects.create(kind=LinkKind.SPLIT_FROM, from_place=p,
                                     to_place=original, date=day, note=note,
                                     created_by_id=viewer.user_id)
            created.append(p)
        before = original.status
        if close_original and before != S.RESOLVED:
            PlaceStatusChange.objects.create(
                place=original, from_status=before, status=S.RESOLVED, date=day,
                organisation_id=org, created_by_id=viewer.user_id,
                note=_("Split into %(names)s.") % {"names": ", ".join(p.name for p in created)}
                + (f" {note}" if note else ""))
            original.status = S.RESOLVED
            original.save(update_fields=["status"])
        _record(viewer, city.pk, "split", original,
                {"new_places": [audit.snapshot(p) for p in created],
                 "status": [before, original.status], "date": day.isoformat(), "note": note})
    return created


# --- assessment (bedömning) ------------------------------------------------------------------

@dataclass
class AssessmentInput:
    """``symptoms``: key → (answer, note); ``aspects``: key → (text, rating or None)."""

    date: date | None
    organisation_id: int | None
    symptoms: dict[str, tuple[str, str]] = field(default_factory=dict)
    aspects: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    scene_form: str = SceneForm.UNKNOWN
    summary: str = ""


def record_assessment(viewer: Viewer, place_id: int, data: AssessmentInput) -> Assessment:
    """Record an assessment; the sensitive facilities within 500 m are computed from the
    register and kept with it as they were on that day."""
    place = _place(viewer, place_id)
    city = place.city
    problems = Problems()
    check_date(problems, "date", data.date, city)
    org = check_organisation(problems, "organisation", data.organisation_id, city)
    values: dict[str, object] = {}
    unknown = set(data.symptoms) - {k for k, _l in SYMPTOMS}
    unknown |= set(data.aspects) - {k for k, *_r in ASPECTS}
    if unknown:
        problems.add("__all__", _("Unknown fields: %(names)s.")
                     % {"names": ", ".join(sorted(unknown))})
    for key, _label in SYMPTOMS:
        answer, note = data.symptoms.get(key, (Answer.UNKNOWN, ""))
        if answer not in Answer.values:
            problems.add(key, _("Unknown value."))
        values[key] = answer
        values[f"{key}_note"] = check_text(problems, f"{key}_note", note)
    for key, _label, _help, rated in ASPECTS:
        text, rating = data.aspects.get(key, ("", None))
        values[key] = check_text(problems, key, text)
        if rated:
            if rating is not None and rating not in Rating.values:
                problems.add(f"{key}_rating", _("Choose 1, 2 or 3."))
            values[f"{key}_rating"] = rating
        elif rating is not None:
            problems.add(key, _("This aspect has no rating."))
    if data.scene_form not in SceneForm.values:
        problems.add("scene_form", _("Unknown value."))
    summary = check_text(problems, "summary", data.summary)
    problems.raise_if_any()
    with transaction.atomic():
        assessment = Assessment.objects.create(
            place=place, date=data.date, organisation=org, scene_form=data.scene_form,
            summary=summary, facilities_radius_m=selectors.FACILITY_RADIUS_M,
            facilities=selectors.nearby_facilities(place, selectors.FACILITY_RADIUS_M),
            created_by_id=viewer.user_id, **values)
        _record(viewer, city.pk, "create", assessment, audit.snapshot(assessment))
    return assessment


# --- cause analysis (orsaksanalys) -----------------------------------------------------------

@dataclass
class CauseAnalysisInput:
    """``factors``: factor → (present, note); counts are aggregate, never persons."""

    date: date | None
    organisation_id: int | None
    factors: dict[str, tuple[bool, str]] = field(default_factory=dict)
    affected: list[str] = field(default_factory=list)
    affected_note: str = ""
    offender_groups: str = ""
    offenders_estimate: int | None = None
    offenders_under_15: int | None = None
    offenders_15_17: int | None = None
    offenders_18_25: int | None = None
    offenders_26_plus: int | None = None
    event_chain: str = ""


AGE_BANDS = ("offenders_under_15", "offenders_15_17", "offenders_18_25", "offenders_26_plus")


def record_cause_analysis(viewer: Viewer, place_id: int,
                          data: CauseAnalysisInput) -> CauseAnalysis:
    """Record a cause analysis with one row per situational factor (present or not)."""
    place = _place(viewer, place_id)
    city = place.city
    problems = Problems()
    check_date(problems, "date", data.date, city)
    org = check_organisation(problems, "organisation", data.organisation_id, city)
    unknown = set(data.factors) - set(Factor.values)
    if unknown:
        problems.add("__all__", _("Unknown factors: %(names)s.")
                     % {"names": ", ".join(sorted(unknown))})
    factors = []
    for value in Factor.values:
        present, note = data.factors.get(value, (False, ""))
        factors.append((value, bool(present), check_text(problems, f"{value}_note", note)))
    bad_affected = set(data.affected) - set(Affected.values)
    if bad_affected:
        problems.add("affected", _("Unknown value."))
    counts = {name: check_count(problems, name, getattr(data, name))
              for name in ("offenders_estimate", *AGE_BANDS)}
    bands = sum(counts[n] or 0 for n in AGE_BANDS)
    if counts["offenders_estimate"] is not None and bands > counts["offenders_estimate"]:
        problems.add("offenders_estimate",
                     _("The age bands add up to more than the estimated number."))
    texts = {name: check_text(problems, name, getattr(data, name))
             for name in ("affected_note", "offender_groups", "event_chain")}
    problems.raise_if_any()
    with transaction.atomic():
        analysis = CauseAnalysis.objects.create(
            place=place, date=data.date, organisation=org,
            affected=[a for a in Affected.values if a in data.affected],
            created_by_id=viewer.user_id, **counts, **texts)
        CauseFactor.objects.bulk_create(
            CauseFactor(analysis=analysis, factor=f, present=present, note=note)
            for f, present, note in factors)
        _record(viewer, city.pk, "create", analysis,
                {**audit.snapshot(analysis),
                 "factors": {f: [present, note] for f, present, note in factors}})
    return analysis

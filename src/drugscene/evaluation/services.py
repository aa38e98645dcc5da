"""Compute an action's follow-ups when they fall due (at its end and 3, 6, 12 months later).

For each follow-up the drug-related reports that every partner may see (public and
all-partner reports; restricted reports never enter a stored figure) are compared:

* **effect and displacement** — Bowers & Johnson's weighted displacement quotient with the
  rate ratio against a control (``analysis.displacement.weighted_displacement``): the target
  is the place's outline widened by 100 m (or a 200 m circle around its point, or the
  district), the buffer
  a 400 m ring around it, the control the rest of the city. The before window is as long as
  the after window: at the end milestone, the action's own length; later, the time from the
  start to the milestone.
* **came back?** — from 3 months after the end: the rate after the end against the rate
  during the action and before it, relative to the control
  (``analysis.displacement.came_back``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from pyproj import Transformer
from shapely.geometry import Point, shape

from drugscene.actions.models import Action, FollowUp, Milestone
from drugscene.analysis.displacement import came_back, weighted_displacement
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import Points
from drugscene.audit import services as audit
from drugscene.reports.models import Report

TARGET_RADIUS_M = 200
OUTLINE_MARGIN_M = 100
BUFFER_M = 400


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def target_polygon(action: Action) -> shapely.Geometry:
    """The place with its surroundings where its reports fall: the outline widened by
    100 m, or a 200 m circle around its point; else the district."""
    if action.place_id:
        place = action.place
        crs = action.city.metric_crs or "EPSG:3006"
        fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform
        back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
        if place.geometry:
            core, radius = shape(place.geometry), OUTLINE_MARGIN_M
        else:
            core, radius = Point(place.lon, place.lat), TARGET_RADIUS_M
        metric = shapely.transform(core, fwd, interleaved=False).buffer(radius, 32)
        return shapely.transform(metric, back, interleaved=False)
    if action.area_id:
        return shape(action.area.geometry)
    raise AnalysisError("The action has neither a place nor a district.")


def _points(action: Action, since: datetime, until: datetime) -> Points:
    rows = list(
        Report.objects.filter(city_id=action.city_id, visibility__in=["public", "partners"],
                              category__drug_related=True, occurred_from__gte=since,
                              occurred_from__lt=until)
        .exclude(review_status__in=["rejected", "duplicate"])
        .values_list("lon", "lat", "occurred_from")
    )
    if not rows:
        raise AnalysisError("No drug-related reports around the action's time.")
    lon, lat, when = zip(*rows, strict=True)
    t = np.fromiter((w.timestamp() for w in when), dtype=np.float64, count=len(when))
    return Points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float),
                  t.astype(np.int64), origin=f"action {action.pk}")


def evaluate(follow_up: FollowUp) -> dict:
    """The figures of one follow-up (does not save)."""
    action = follow_up.action
    milestone = _moment(follow_up.due_date)
    start = _moment(action.start)
    end = _moment(action.end) if action.end else milestone
    span = (milestone - start) if follow_up.milestone != Milestone.END else (end - start)
    if span.days < 7:
        raise AnalysisError("Less than a week of action to compare.")
    target = target_polygon(action)
    control = shape(action.city.boundary) if action.city.boundary else None
    if control is None:
        raise AnalysisError("The city has no boundary to take a control area from.")
    pts = _points(action, start - span, milestone)
    wdq = weighted_displacement(
        pts, target, control, start, buffer_m=BUFFER_M, before_days=span.days,
        after_days=span.days, metric_crs=action.city.metric_crs, cut_control=True,
        data_start=start - span, data_end=milestone)
    out = {
        "target_before": wdq.a_before, "target_after": wdq.a_after,
        "buffer_before": wdq.b_before, "buffer_after": wdq.b_after,
        "control_before": wdq.c_before, "control_after": wdq.c_after,
        "wdq": wdq.wdq, "rate_ratio": None, "rr_low": None, "rr_high": None,
        "came_back": None, "verdict": wdq.interpretation.sentence,
        "details": {"wdq": wdq.as_dict()},
    }
    if wdq.target_rr is not None and wdq.target_rr.estimable:
        out.update(rate_ratio=wdq.target_rr.rr, rr_low=wdq.target_rr.ci_low,
                   rr_high=wdq.target_rr.ci_high)
    if follow_up.milestone != Milestone.END and action.end and milestone > end:
        back = came_back(pts, target, start, end, control=control, cut_control=True,
                         window_days=(milestone - end).days, data_start=start - span,
                         data_end=milestone)
        out["came_back"] = back.came_back
        out["verdict"] = f"{back.interpretation.sentence} {wdq.interpretation.sentence}"
        out["details"]["came_back"] = back.as_dict()
    return out


def compute_due(today: date | None = None) -> tuple[int, int]:
    """Compute every follow-up that has fallen due and is not computed yet.

    Returns ``(computed, not_computable)``. A follow-up that cannot be computed keeps the
    reason as its verdict and is marked computed, so it is not retried every run; moving
    the action's end date schedules it anew.
    """
    today = today or timezone.localdate()
    done = failed = 0
    due = FollowUp.objects.filter(due_date__lte=today, computed_at__isnull=True).select_related(
        "action", "action__city", "action__place", "action__area")
    for fu in due:
        try:
            values = evaluate(fu)
        except AnalysisError as exc:
            values = {"verdict": str(exc), "details": {"error": str(exc)}}
            failed += 1
        else:
            done += 1
        with transaction.atomic():
            for key, value in values.items():
                setattr(fu, key, value)
            fu.computed_at = timezone.now()
            fu.save()
            audit.record(action="follow_up", obj=fu,
                         changes={k: v for k, v in values.items() if k != "details"},
                         user_id=None, organisation_id=None, channel="worker")
    return done, failed



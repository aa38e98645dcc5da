"""REST API routes of the indicators app, mounted under /api/v1/ by drugscene.api.views.

* ``GET /api/v1/indicators?city=SLUG`` - the city's indicators with their latest city value;
* ``GET /api/v1/indicators/{id}/series?area=SLUG&start=DATE&end=DATE`` - the points (value
  ``null`` with ``below_lod`` true below the limit of detection) and the trend test.

Every member of the city may read (the caller's role must allow viewing reports there).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from drugscene.accounts.access import Perm, viewer_for
from drugscene.cities.models import Area
from drugscene.cities.selectors import city_for
from drugscene.core.errors import NotVisible, ValidationFailed
from drugscene.indicators import selectors
from drugscene.indicators.models import Indicator

router = Router(tags=["indicators"])


def _indicator_dict(ind: Indicator) -> dict:
    latest = selectors.latest(ind)
    return {
        "id": ind.pk, "slug": ind.slug, "name": ind.label, "unit": ind.unit,
        "source": ind.source_label, "caveat": ind.caveat_label, "direction": ind.direction,
        "frequency": ind.frequency, "level": ind.level, "by_gender": ind.by_gender,
        "by_age": ind.by_age, "computed": ind.computed or None,
        "category": ind.category.slug if ind.category_id else None,
        "latest": latest.as_dict() if latest else None,
    }


@router.get("/indicators")
def list_indicators(request: HttpRequest, city: str | None = None):
    """The city's active indicators (name, unit, source, caveat, ...) with the latest value
    for the whole city."""
    viewer = viewer_for(request.user)
    c = city_for(viewer, city)
    if not viewer.can(Perm.VIEW_REPORTS, c.pk):
        raise NotVisible(_("City not found: %(slug)s") % {"slug": c.slug})
    return [_indicator_dict(i) for i in
            selectors.visible_indicators(viewer, city_id=c.pk).filter(active=True)]


@router.get("/indicators/{indicator_id}/series")
def indicator_series(request: HttpRequest, indicator_id: int, area: str | None = None,
                     start: date | None = None, end: date | None = None):
    """One indicator's series for the whole city or a district (``area`` = district slug),
    with the Mann–Kendall trend test (seasonality not removed)."""
    viewer = viewer_for(request.user)
    ind = selectors.get_indicator(viewer, indicator_id)
    district = None
    if area and area != ind.city.slug:
        district = Area.objects.filter(city_id=ind.city_id, slug=area).first()
        if district is None:
            raise ValidationFailed(_("Unknown district: %(slug)s") % {"slug": area},
                                   field="area")
    if start and end and start > end:
        raise ValidationFailed(_("'start' must not be after 'end'."), field="start")
    points = selectors.series(ind, district, start=start, end=end)
    t = selectors.trend(points)
    return {
        "indicator": {"id": ind.pk, "slug": ind.slug, "name": ind.label, "unit": ind.unit},
        "area": district.slug if district else None,
        "points": [p.as_dict() for p in points],
        "trend": None if t is None else {
            "test": "mann-kendall", "n": t.n, "period": t.kind, "s": t.s, "z": t.z,
            "p": t.p, "tau": t.tau, "sen_slope": t.slope, "direction": t.direction,
            "below_lod": t.below_lod, "seasonality_removed": False},
    }

"""Template context shared by every page: tiles, and who is signed in where (the nav)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _nav(request: HttpRequest) -> dict:
    from drugscene.accounts.access import Perm
    from drugscene.accounts.models import Role
    from drugscene.accounts.selectors import organisation_name
    from drugscene.reports.selectors import review_queue
    from drugscene.web.common import city_of, viewer_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    viewer = viewer_of(request)
    city = city_of(request)
    if city is None:
        return {"city": None, "organisation": "", "role": ""}
    seat = viewer.seat_in(city.pk)
    can_review = viewer.can(Perm.REVIEW_REPORTS, city.pk)
    return {
        "city": city,
        "organisation": organisation_name(seat.organisation_id) if seat else "",
        "role": Role(seat.role).label if seat else "",
        "can_create": viewer.can(Perm.CREATE_REPORT, city.pk),
        "can_review": can_review,
        "can_audit": viewer.can(Perm.VIEW_AUDIT, city.pk),
        "review_count": review_queue(viewer, city.pk).count() if can_review else 0,
    }


def site(request: HttpRequest) -> dict:
    return {
        "TILE_URL": settings.TILE_URL,
        "TILE_ATTRIBUTION": settings.TILE_ATTRIBUTION,
        "nav": SimpleLazyObject(lambda: _nav(request)),
    }

"""What every page needs: the viewer, their city, permission checks and rendering in the
city's time zone. No business logic: visibility lives in the selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer, viewer_for
from drugscene.cities.models import City
from drugscene.cities.selectors import city_for
from drugscene.core.errors import NotVisible, PermissionDenied

LOGIN_URL = reverse_lazy("web:login")


def viewer_of(request: HttpRequest) -> Viewer:
    """The viewer of this request (built once per request)."""
    viewer = getattr(request, "_drugscene_viewer", None)
    if viewer is None:
        viewer = viewer_for(request.user)
        request._drugscene_viewer = viewer  # type: ignore[attr-defined]
    return viewer


def city_of(request: HttpRequest) -> City | None:
    """The city the viewer works in (``?city=slug`` or their first one), or ``None``."""
    if not hasattr(request, "_drugscene_city"):
        try:
            city = city_for(viewer_of(request), request.GET.get("city") or None)
        except NotVisible:
            city = None
        request._drugscene_city = city  # type: ignore[attr-defined]
    return request._drugscene_city  # type: ignore[attr-defined]


def member_city(request: HttpRequest) -> City:
    """The viewer's city; 403 for accounts that belong to no organisation here."""
    city = city_of(request)
    if city is None:
        raise DjangoPermissionDenied(_("Your account is not a member of any organisation."))
    return city


def require(request: HttpRequest, perm: Perm) -> tuple[Viewer, City]:
    """Viewer and city, or a 403 page when the viewer's role lacks ``perm`` there."""
    viewer = viewer_of(request)
    city = member_city(request)
    if not viewer.can(perm, city.pk):
        raise DjangoPermissionDenied(_("Your role does not allow this page."))
    return viewer, city


def pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; domain errors become the 404 and 403 pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotVisible:
            raise Http404(_("Not found.")) from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None

    return login_required(wrapper, login_url=LOGIN_URL)


def city_tz(city: City | None) -> ZoneInfo:
    return ZoneInfo(city.timezone if city else "UTC")


def render_in(request: HttpRequest, city: City | None, template: str, context: dict,
              status: int = 200) -> HttpResponse:
    """Render with the city's time zone active (forms and dates show local time)."""
    with timezone.override(city_tz(city)):
        return render(request, template, {"city": city, **context}, status=status)

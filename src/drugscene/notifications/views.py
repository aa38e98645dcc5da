"""Pages: the inbox (``notifications:inbox``) and the settings (``notifications:settings``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from drugscene.accounts.access import Perm
from drugscene.cities.selectors import areas_of
from drugscene.core.errors import ValidationFailed
from drugscene.notifications import selectors, services
from drugscene.notifications.forms import SettingsForm
from drugscene.notifications.texts import describe
from drugscene.places.selectors import visible_places
from drugscene.web.common import pages, render_in, require, viewer_of
from drugscene.web.forms import add_domain_errors

PAGE_SIZE = 50


@pages
def inbox(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.inbox(viewer, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page"))
    items = [(n, describe(n.kind, n.params)) for n in page]
    return render_in(request, city, "notifications/inbox.html", {
        "page": page, "items": items, "unread_only": unread_only,
        "unread": selectors.unread_count(viewer),
    })


@require_POST
@pages
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    n = services.mark_read(viewer_of(request), notification_id)
    if request.POST.get("open") and n.link.startswith("/"):
        return redirect(n.link)
    return redirect(_back(request))


@require_POST
@pages
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(viewer_of(request))
    messages.success(request, translation.ngettext(
        "%(n)s notification marked as read.", "%(n)s notifications marked as read.", count)
        % {"n": count})
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    from django.urls import reverse

    city = request.GET.get("city")
    return reverse("notifications:inbox") + (f"?city={city}" if city else "")


@pages
def settings_page(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    areas = list(areas_of(city.pk))
    places = list(visible_places(viewer, city_id=city.pk).order_by("name"))
    subs = list(selectors.subscriptions_of(viewer, city))
    radii = [s for s in subs if s.radius_m]
    kwargs = {"areas": areas, "places": places, "radii": radii}
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                with transaction.atomic():  # both or neither
                    services.save_preferences(viewer, city, services.PreferenceInput(
                        form.deliveries(), form.cleaned_data.get("language") or ""))
                    services.set_areas(viewer, city, form.areas_input())
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect(f"{request.path}?city={city.slug}")
        status = 422
    else:
        choices = selectors.choices_of(viewer, city)
        row = selectors.preference_row(viewer, city)
        initial = {k: choices.of(k) for k in choices.deliveries}
        initial["language"] = row.language if row else ""
        initial["areas"] = [str(s.area_id) for s in subs if s.area_id]
        initial["places"] = [str(s.place_id) for s in subs if s.place_id and not s.radius_m]
        initial["keep_radii"] = [f"{s.place_id}:{s.radius_m}" for s in radii]
        form = SettingsForm(initial=initial, **kwargs)
    return render_in(request, city, "notifications/settings.html", {
        "form": form, "has_row": selectors.preference_row(viewer, city) is not None,
    }, status=status)

"""Anonymous tips from citizens: no sign-in, no identity asked, the address only counted."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from drugscene.core.clients import client_address
from drugscene.core.errors import RateLimited, ReportRejected
from drugscene.reports.selectors import visible_categories
from drugscene.reports.services import submit_tip, throttle_tip, tip_city
from drugscene.web.common import city_tz, render_in
from drugscene.web.forms import TipForm, add_domain_errors
from drugscene.web.picker import picker_config


@csrf_protect
def tip(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("city") or None
    try:
        city = tip_city(slug)
    except ReportRejected:
        raise Http404(_("Unknown city.")) from None
    categories = visible_categories(city.pk, tips_only=True)
    status = 200
    with timezone.override(city_tz(city)):
        if request.method == "POST":
            try:
                throttle_tip(client_address(request))
            except RateLimited as exc:
                return render(request, "web/tip_limited.html",
                              {"message": exc.message, "city": city}, status=429)
            form = TipForm(request.POST, categories=categories)
            if form.is_valid():
                try:
                    submit_tip(city, form.report_input())
                except ReportRejected as exc:
                    add_domain_errors(form, exc)
                else:
                    url = reverse("web:tip-thanks")
                    return redirect(f"{url}?city={city.slug}" if slug else url)
            status = 422
        else:
            form = TipForm(categories=categories)
    return render_in(request, city, "web/tip.html", {
        "form": form,
        "picker": picker_config(city),
    }, status=status)


def tip_thanks(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("city") or None
    return render(request, "web/tip_thanks.html", {"again": reverse("web:tip") + (
        f"?city={slug}" if slug else "")})

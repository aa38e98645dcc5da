"""The situational picture page and its PDF. Thin: parse, call the selector, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from drugscene.accounts.access import Perm
from drugscene.cities.selectors import areas_of
from drugscene.core.errors import NotVisible, ValidationFailed
from drugscene.situation.render import document_pdf, picture_context
from drugscene.situation.selectors import situational_picture
from drugscene.situation.weeks import parse_week, week_of
from drugscene.web.common import city_tz, pages, render_in, require


def _picture(request: HttpRequest):
    """``(city, picture, error)``: a bad week shows the current one with the error."""
    viewer, city = require(request, Perm.VIEW_REPORTS)
    text = request.GET.get("week")
    week, error = week_of(timezone.now().astimezone(city_tz(city)).date()), None
    if text:
        try:
            week = parse_week(text)
        except ValidationFailed as exc:
            error = exc.message
    area = None
    if request.GET.get("district"):
        area = areas_of(city.pk).filter(slug=request.GET["district"]).first()
        if area is None:
            raise NotVisible("district")
    return city, situational_picture(viewer, city, week, area), error


@pages
def picture_page(request: HttpRequest) -> HttpResponse:
    city, picture, error = _picture(request)
    return render_in(request, city, "situation/page.html", {
        **picture_context(picture),
        "error": error,
        "districts": areas_of(city.pk),
        "prev_week": picture.week.shift(-1).label,
        "next_week": picture.week.shift(1).label,
    }, status=400 if error else 200)


@pages
def picture_pdf(request: HttpRequest) -> HttpResponse:
    city, picture, error = _picture(request)
    if error:
        raise NotVisible(error)
    pdf = document_pdf(picture)
    name = f"lagesbild-{city.slug}-{picture.week.label}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response

"""Reports: the list, one report, a new report, and the review action."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from drugscene.accounts.access import Perm
from drugscene.accounts.selectors import organisations_of
from drugscene.core.errors import ReportRejected
from drugscene.places.selectors import visible_places
from drugscene.reports.models import Report
from drugscene.reports.selectors import (
    filter_reports,
    get_report,
    visible_categories,
    visible_reports,
)
from drugscene.reports.services import create_report, review_report
from drugscene.web.common import city_tz, pages, render_in, require, viewer_of
from drugscene.web.filtering import filter_context, filter_form, report_filter
from drugscene.web.forms import AGE_FIELDS, GENDER_FIELDS, ReportForm, ReviewForm
from drugscene.web.forms import add_domain_errors as add_errors
from drugscene.web.picker import picker_config

PAGE_SIZE = 50
LIST_RELATED = ("category", "source", "place", "area")


@pages
def report_list(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    form = filter_form(request, city)
    flt = report_filter(form, city)
    sort = "time" if request.GET.get("sort") == "time" else "-time"
    page = None
    if flt is not None:
        order = ("occurred_from", "id") if sort == "time" else ("-occurred_from", "-id")
        qs = filter_reports(viewer, flt).select_related(*LIST_RELATED).order_by(*order)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_in(request, city, "web/report_list.html", {
        **filter_context(request, form),
        "filter_action": reverse("web:report-list"),
        "page": page,
        "sort": sort,
    }, status=200 if page is not None else 422)


def _review_context(request: HttpRequest, report: Report, **extra) -> dict:
    """What ``web/_review.html`` needs (shared by the detail page, the queue and HTMX)."""
    viewer = viewer_of(request)
    duplicate_visible = bool(
        report.duplicate_of_id
        and visible_reports(viewer).filter(pk=report.duplicate_of_id).exists()
    )
    return {
        "report": report,
        "can_review": viewer.can(Perm.REVIEW_REPORTS, report.city_id),
        "duplicate_visible": duplicate_visible,
        **extra,
    }


@pages
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    report = get_report(viewer, report_id)
    restricted = (
        list(report.restricted_to.order_by("name").values_list("name", flat=True))
        if report.visibility == "restricted" else []
    )
    duplicates = list(
        visible_reports(viewer).filter(duplicate_of=report).select_related("category")
        .order_by("occurred_from")
    )
    return render_in(request, report.city, "web/report_detail.html", {
        **_review_context(request, report, next=request.get_full_path()),
        "restricted": restricted,
        "duplicates": duplicates,
        "scrubbed_count": removed_identifiers(report),
        "ages": [(Report._meta.get_field(f).verbose_name, getattr(report, f))
                 for f in AGE_FIELDS],
        "genders": [(Report._meta.get_field(f).verbose_name, getattr(report, f))
                    for f in GENDER_FIELDS],
    })


def removed_identifiers(report: Report) -> int:
    """How many identifiers the scrubber replaced: its placeholders in the stored text
    (the report keeps only the distinct kinds, so this is at least their number)."""
    from drugscene.privacy.scrub import PLACEHOLDERS

    placed = sum(report.text.count(p) for p in set(PLACEHOLDERS.values()))
    kinds = [k for k in report.scrubbed.split(",") if k]
    return max(placed, len(kinds))


def _safe_next(request: HttpRequest, target: str, fallback: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@pages
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    """Confirm, reject or mark as duplicate. HTMX gets the updated partial; a plain form
    post is redirected back (to ``next``: the detail page or the review queue)."""
    viewer = viewer_of(request)
    report = get_report(viewer, report_id)  # 404 before anything else
    htmx = request.headers.get("HX-Request") == "true"
    form = ReviewForm(request.POST)
    fallback = reverse("web:report-detail", args=[report.pk])
    target = _safe_next(request, request.POST.get("next", ""), fallback)
    error = ""
    if form.is_valid():
        status = form.cleaned_data["status"]
        dup = form.cleaned_data["duplicate_of"] if status == "duplicate" else None
        try:
            report = review_report(viewer, report.pk, status, duplicate_of=dup)
        except ReportRejected as exc:
            error = "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.message
    else:
        error = "; ".join(str(m) for msgs in form.errors.values() for m in msgs)
    if htmx:
        report = get_report(viewer, report.pk)
        return render_in(request, report.city, "web/_review.html",
                         _review_context(request, report, review_error=error, next=target,
                                         just_reviewed=not error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Report #%(id)s: %(status)s.") % {
            "id": report.pk, "status": report.get_review_status_display()})
    return redirect(target)


@pages
def report_new(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.CREATE_REPORT)
    places = list(visible_places(viewer, city_id=city.pk).order_by("name"))
    kwargs = {
        "categories": visible_categories(city.pk),
        "places": places,
        "organisations": organisations_of(city.pk, partners_only=True),
    }
    status = 200
    with timezone.override(city_tz(city)):
        if request.method == "POST":
            form = ReportForm(request.POST, **kwargs)
            if form.is_valid():
                try:
                    report = create_report(viewer, city, form.report_input())
                except ReportRejected as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, _("Thank you. Report #%(id)s was saved.")
                                     % {"id": report.pk})
                    return redirect("web:report-detail", report_id=report.pk)
            status = 422
        else:
            form = ReportForm(**kwargs)
    return render_in(request, city, "web/report_form.html", {
        "form": form,
        "picker": picker_config(city, places),
    }, status=status)

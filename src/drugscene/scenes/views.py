"""Pages of the scene register: the register, a place, its status, assessment, cause
analysis, merge and split. Thin: forms parse, services write, selectors read."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm
from drugscene.accounts.selectors import organisations_of
from drugscene.actions.selectors import actions_at
from drugscene.actions.services import may_create_actions
from drugscene.cities.models import Area
from drugscene.cities.selectors import area_index, areas_of
from drugscene.core.errors import ValidationFailed
from drugscene.places.models import Place, PlaceType
from drugscene.places.selectors import get_place, visible_places
from drugscene.scenes import candidates as candidate_service
from drugscene.scenes import selectors, services
from drugscene.scenes.checks import city_today, seat_organisation
from drugscene.scenes.forms import (
    AssessmentForm,
    CauseAnalysisForm,
    MergeForm,
    PlaceForm,
    RegisterFilterForm,
    SplitForm,
    StatusForm,
)
from drugscene.scenes.models import CandidateScene, CandidateStatus
from drugscene.web.common import pages, render_in, require, viewer_of
from drugscene.web.forms import add_domain_errors
from drugscene.web.picker import district_outlines, picker_config


@pages
def place_list(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    form = RegisterFilterForm(request.GET, areas=areas_of(city.pk))
    rows = selectors.register(viewer, city, **form.filters()) if form.is_valid() else []
    return render_in(request, city, "scenes/place_list.html", {
        "form": form, "rows": rows, "window": selectors.WINDOW_DAYS,
        "can_manage": viewer.can(Perm.MANAGE_PLACES, city.pk),
    }, status=200 if form.is_valid() else 422)


@pages
def place_new(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.MANAGE_PLACES)
    today = city_today(city)
    form = PlaceForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            place = services.register_place(
                viewer, city, name=cd["name"], place_type=cd["place_type"],
                lon=cd["lon"], lat=cd["lat"], owner_kind=cd["owner_kind"],
                indoor=cd["indoor"], status=cd["status"], date=cd["date"],
                note=cd["note"])
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Place “%(name)s” registered.")
                             % {"name": place.name})
            return redirect("scenes:place-detail", place_id=place.pk)
    return render_in(request, city, "scenes/place_form.html", {
        "form": form, "picker": picker_config(city),
    }, status=422 if form.is_bound else 200)


def _managed_place(request: HttpRequest, place_id: int) -> Place:
    """The place, for a page that changes it (403 unless the role manages places)."""
    viewer = viewer_of(request)
    place = get_place(viewer, place_id)
    if not viewer.can(Perm.MANAGE_PLACES, place.city_id):
        raise DjangoPermissionDenied(_("Your role does not allow this page."))
    return place


def _status_form(request: HttpRequest, place: Place, data=None) -> StatusForm:
    viewer = viewer_of(request)
    return StatusForm(data, allowed=services.TRANSITIONS[place.status],
                      organisations=organisations_of(place.city_id, partners_only=True),
                      today=city_today(place.city),
                      seat_org=seat_organisation(viewer, place.city_id))


@pages
def place_detail(request: HttpRequest, place_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    place = get_place(viewer, place_id)
    city = place.city
    today = city_today(city)
    figures = selectors.place_figures(viewer, place)
    reports, reports_total = selectors.map_reports(viewer, place, figures.family)
    facilities = selectors.nearby_facilities(place)
    can_manage = viewer.can(Perm.MANAGE_PLACES, city.pk)
    analysis = selectors.latest_cause_analysis(place)
    action_rows = actions_at(viewer, figures.family, today=today)
    return render_in(request, city, "scenes/place_detail.html", {
        "place": place,
        "today": today,
        "figures": figures,
        "trend": figures.trend,
        "history": selectors.status_history(place),
        "links": selectors.links_of(place),
        "assessments": selectors.assessments_of(place),
        "analysis": analysis,
        "factors": list(analysis.factors.all()) if analysis else [],
        "analyses_count": selectors.cause_analyses_count(place),
        "action_rows": action_rows,
        "facilities": facilities,
        "facility_radius": selectors.FACILITY_RADIUS_M,
        "can_manage": can_manage,
        "can_plan": may_create_actions(viewer, city.pk) and not place.merged_into_id,
        "status_form": _status_form(request, place) if can_manage and not place.merged_into_id
        else None,
        "reports_total": reports_total,
        "reports_shown": len(reports),
        "map_days": selectors.MAP_DAYS,
        "window": selectors.WINDOW_DAYS,
        "map_data": {
            "place": {"name": place.name, "lon": place.lon, "lat": place.lat,
                      "geometry": place.geometry},
            "reports": reports,
            "facilities": [[f["lon"], f["lat"], f["name"], f["distance_m"]]
                           for f in facilities],
            "radius": selectors.FACILITY_RADIUS_M,
            "districts": district_outlines(city.pk),
            "reportUrl": reverse("web:report-detail", args=[0]),
            "labels": {"open": _("Open report #%(id)s"),
                       "facility": _("%(name)s, %(m)s m")},
        },
    })


@pages
def place_status(request: HttpRequest, place_id: int) -> HttpResponse:
    place = _managed_place(request, place_id)
    viewer = viewer_of(request)
    form = _status_form(request, place, request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.change_status(viewer, place.pk, cd["status"], date=cd["date"],
                                   note=cd["note"], organisation_id=cd["organisation"])
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            place.refresh_from_db()
            messages.success(request, _("Status of “%(name)s”: %(status)s.")
                             % {"name": place.name, "status": place.get_status_display()})
            return redirect("scenes:place-detail", place_id=place.pk)
    return render_in(request, place.city, "scenes/status_form.html", {
        "place": place, "form": form,
    }, status=422 if form.is_bound else 200)


def _form_page(request: HttpRequest, place: Place, form, template: str,
               save: Callable[[], object], success: str, **extra) -> HttpResponse:
    """GET shows the form; a valid POST saves (the service validates again)."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("scenes:place-detail", place_id=place.pk)
    return render_in(request, place.city, template, {"place": place, "form": form, **extra},
                     status=422 if form.is_bound else 200)


@pages
def place_assess(request: HttpRequest, place_id: int) -> HttpResponse:
    place = _managed_place(request, place_id)
    viewer = viewer_of(request)
    form = AssessmentForm(request.POST or None,
                          organisations=organisations_of(place.city_id, partners_only=True),
                          today=city_today(place.city),
                          seat_org=seat_organisation(viewer, place.city_id),
                          previous=selectors.latest_assessment(place))
    return _form_page(
        request, place, form, "scenes/assessment_form.html",
        lambda: services.record_assessment(viewer, place.pk, form.to_input()),
        _("Assessment saved."), facilities=selectors.nearby_facilities(place),
        facility_radius=selectors.FACILITY_RADIUS_M, previous=form.previous)


@pages
def place_causes(request: HttpRequest, place_id: int) -> HttpResponse:
    place = _managed_place(request, place_id)
    viewer = viewer_of(request)
    form = CauseAnalysisForm(request.POST or None,
                             organisations=organisations_of(place.city_id,
                                                            partners_only=True),
                             today=city_today(place.city),
                             seat_org=seat_organisation(viewer, place.city_id),
                             previous=selectors.latest_cause_analysis(place))
    return _form_page(
        request, place, form, "scenes/cause_form.html",
        lambda: services.record_cause_analysis(viewer, place.pk, form.to_input()),
        _("Cause analysis saved."), previous=form.previous)


@pages
def place_merge(request: HttpRequest, place_id: int) -> HttpResponse:
    place = _managed_place(request, place_id)
    viewer = viewer_of(request)
    candidates = list(
        visible_places(viewer, city_id=place.city_id)
        .filter(merged_into__isnull=True).exclude(pk=place.pk).order_by("area__name", "name"))
    form = MergeForm(request.POST or None, candidates=candidates,
                     today=city_today(place.city))
    return _form_page(
        request, place, form, "scenes/merge_form.html",
        lambda: services.merge_places(viewer, form.cleaned_data["places"], place.pk,
                                      form.cleaned_data["date"], form.cleaned_data["note"]),
        _("Places merged into “%(name)s”.") % {"name": place.name})


@pages
def place_split(request: HttpRequest, place_id: int) -> HttpResponse:
    place = _managed_place(request, place_id)
    viewer = viewer_of(request)
    form = SplitForm(request.POST or None, original=place, today=city_today(place.city))
    return _form_page(
        request, place, form, "scenes/split_form.html",
        lambda: services.split_place(viewer, place.pk, form.parts(),
                                     date=form.cleaned_data["date"],
                                     note=form.cleaned_data["note"],
                                     close_original=form.cleaned_data["close_original"]),
        _("New places split off “%(name)s”.") % {"name": place.name})



# --- candidate scenes ------------------------------------------------------------------------

def _candidate_page(request: HttpRequest, city, *, errors: dict | None = None,
                    posted: dict | None = None, status: int = 200) -> HttpResponse:
    """The open candidates of ``city`` (every member reads; coordinators decide).
    ``errors``/``posted``: ``{candidate_id: ...}`` of a failed accept or dismiss."""
    viewer = viewer_of(request)
    rows = list(CandidateScene.objects.filter(city=city, status=CandidateStatus.OPEN)
                .select_related("moved_from"))
    order = {c: i for i, c in enumerate(candidate_service.CANDIDATE_CATEGORIES)}
    rows.sort(key=lambda c: (order.get(c.category_code, 99), -c.trend_z, c.pk))
    index = area_index(city.pk)
    names = dict(Area.objects.filter(city=city).values_list("pk", "name"))
    errors, posted = errors or {}, posted or {}
    items = [{
        "c": c,
        "label": candidate_service.CATEGORY_LABELS.get(c.category_code, c.category_code),
        "district": names.get(index.lookup_one(c.lon, c.lat), ""),
        "errors": errors.get(c.pk, {}),
        "posted": posted.get(c.pk, {}),
    } for c in rows]
    recent = (CandidateScene.objects.filter(city=city)
              .exclude(status=CandidateStatus.OPEN).select_related("place", "decided_by")
              .order_by("-decided_at")[:10])
    last = max((c.analysed_at for c in rows), default=None)
    return render_in(request, city, "scenes/candidates.html", {
        "items": items, "recent": recent, "last_analysed": last,
        "can_manage": viewer.can(Perm.MANAGE_PLACES, city.pk),
        "place_types": PlaceType.choices,
        "place_radius": int(candidate_service.PLACE_RADIUS_M),
        "move_radius": int(candidate_service.MOVE_RADIUS_M),
        "quiet_days": candidate_service.DISMISS_QUIET_DAYS,
    }, status=status)


@pages
def candidates(request: HttpRequest) -> HttpResponse:
    """GET: the candidate list. POST: look for candidates now (coordinators)."""
    if request.method == "POST":
        _viewer, city = require(request, Perm.MANAGE_PLACES)
        found = candidate_service.refresh_candidates(city)
        messages.success(request, _("Analysis done: %(n)s open candidate(s).")
                         % {"n": len(found)})
        return redirect(_candidates_url(request, city))
    _viewer, city = require(request, Perm.VIEW_REPORTS)
    return _candidate_page(request, city)


def _candidates_url(request: HttpRequest, city) -> str:
    url = reverse("scenes:candidates")
    return f"{url}?city={city.slug}" if request.GET.get("city") else url


def _decide(request: HttpRequest, candidate_id: int, action: str,
            act: Callable[[], object], success: str) -> HttpResponse:
    _viewer, city = require(request, Perm.MANAGE_PLACES)
    if request.method != "POST":
        return redirect(_candidates_url(request, city))
    try:
        act()
    except ValidationFailed as exc:
        posted = {**request.POST.dict(), "action": action}
        return _candidate_page(request, city, errors={candidate_id: exc.errors},
                               posted={candidate_id: posted}, status=422)
    messages.success(request, success)
    return redirect(_candidates_url(request, city))


@pages
def candidate_accept(request: HttpRequest, candidate_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    name = request.POST.get("name", "").strip()
    return _decide(
        request, candidate_id, "accept",
        lambda: candidate_service.accept_candidate(viewer, candidate_id, name,
                                                   request.POST.get("place_type", "")),
        _("Place “%(name)s” registered as suspected.") % {"name": name})


@pages
def candidate_dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    return _decide(
        request, candidate_id, "dismiss",
        lambda: candidate_service.dismiss_candidate(viewer, candidate_id,
                                                    request.POST.get("reason", "")),
        _("Candidate dismissed."))

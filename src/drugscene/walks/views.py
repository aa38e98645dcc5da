"""Pages of safety walks: the list, one walk with its map, recording a walk, the tasks of
an organisation, and the open findings as GeoJSON for the main map."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from drugscene.accounts.access import Perm, Viewer
from drugscene.accounts.selectors import organisations_of
from drugscene.cities.models import City
from drugscene.cities.selectors import areas_of
from drugscene.core.errors import ValidationFailed
from drugscene.walks import selectors, services
from drugscene.walks.forms import FindingForm, FindingFormSet, StatusForm, WalkForm
from drugscene.walks.models import Finding, FindingKind, FindingStatus, SafetyWalk
from drugscene.web.common import city_tz, pages, render_in, require, viewer_of
from drugscene.web.forms import IDENTIFIER_NOTE, add_domain_errors

COORDINATE = services.COORDINATE
PAGE_SIZE = 30
FINDING_ERROR = re.compile(r"^finding-(\d+)-(\w+)$")


def _labels() -> dict:
    return {
        "kinds": {k: capfirst(v) for k, v in FindingKind.choices},
        "statuses": {k: capfirst(v) for k, v in FindingStatus.choices},
        "route": _("Route"),
        "finding": _("Finding %(n)s"),
        "route_mode": _("Tap the map to add points to the route."),
        "finding_mode": _("Tap the map where finding %(n)s is."),
        "finding_set": _("Finding %(n)s placed. Drag the marker to adjust."),
        "point_set": _("Point set. Drag the marker to adjust."),
        "placed": _("Placed on the map (drag the marker to adjust)."),
        "not_placed": _("Not placed yet."),
        "owner": _("Responsible"),
        "due": _("Fix by"),
        "no_route": _("No route drawn."),
    }


def _districts(city: City) -> dict:
    """District outlines with their ids (the walk form zooms to the chosen district)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": a.geometry,
             "properties": {"id": a.pk, "name": a.name}}
            for a in areas_of(city.pk)
        ],
    }


def _map_config(city: City, *, route=None, findings=()) -> dict:
    return {
        "centre": [city.centre_lon, city.centre_lat],
        "districts": _districts(city),
        "route": route,
        "findings": [
            {"id": f.pk, "n": n, "lon": f.lon, "lat": f.lat, "kind": f.kind,
             "status": f.status, "owner": f.owner.name,
             "due": f.due.isoformat() if f.due else ""}
            for n, f in enumerate(findings, start=1)
        ],
        "labels": _labels(),
    }


def _back(request: HttpRequest, target: str, fallback: str) -> HttpResponse:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


# --- list and detail ------------------------------------------------------------------------

@pages
def walk_list(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    page = Paginator(selectors.walks_of(viewer, city.pk), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render_in(request, city, "walks/list.html", {
        "page": page,
        "can_record": viewer.can(COORDINATE, city.pk),
        "open_total": selectors.open_findings(viewer, city).count(),
    })


def _detail_context(viewer: Viewer, city: City, walk: SafetyWalk, *,
                    finding_form: FindingForm | None = None) -> dict:
    findings = list(selectors.findings_of(walk))
    can_record = viewer.can(COORDINATE, city.pk)
    can_report = viewer.can(Perm.CREATE_REPORT, city.pk)
    for n, f in enumerate(findings, start=1):
        f.n = n
        f.can_update = can_record or (can_report and f.owner_id in viewer.organisation_ids)
    ctx = {
        "walk": walk,
        "findings": findings,
        "organisations": sorted(walk.organisations.all(), key=lambda o: o.name),
        "can_record": can_record,
        "map_config": _map_config(city, route=walk.route, findings=findings),
        "today": timezone.localdate(timezone=city_tz(city)),
        "identifier_note": IDENTIFIER_NOTE,
    }
    if can_record:
        ctx["finding_form"] = finding_form or FindingForm(
            prefix="finding", organisations=organisations_of(city.pk, partners_only=True))
    return ctx


@pages
def walk_detail(request: HttpRequest, walk_id: int) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    walk = selectors.get_walk(viewer, walk_id)
    if walk.city_id != city.pk:
        city = walk.city
    return render_in(request, city, "walks/detail.html", _detail_context(viewer, city, walk))


# --- recording a walk -----------------------------------------------------------------------

@pages
def walk_new(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, COORDINATE)
    organisations = organisations_of(city.pk, partners_only=True)
    areas = areas_of(city.pk)
    status = 200
    with timezone.override(city_tz(city)):
        if request.method == "POST":
            form = WalkForm(request.POST, organisations=organisations, areas=areas)
            formset = FindingFormSet(request.POST, prefix="finding",
                                     organisations=organisations)
            form_ok = form.is_valid()
            formset_ok = formset.is_valid()
            if form_ok and formset_ok:
                filled = [(i, f) for i, f in enumerate(formset.forms) if f.has_changed()]
                try:
                    walk = services.create_walk(
                        viewer, city, form.walk_input(),
                        [f.finding_input() for _i, f in filled])
                except ValidationFailed as exc:
                    _spread_errors(exc, form, [f for _i, f in filled])
                else:
                    messages.success(request, _("The safety walk was saved with %(n)s "
                                                "findings.") % {"n": len(filled)})
                    return redirect("walks:detail", walk_id=walk.pk)
            status = 422
        else:
            form = WalkForm(initial={"date": timezone.localdate()},
                            organisations=organisations, areas=areas)
            formset = FindingFormSet(prefix="finding", organisations=organisations)
    return render_in(request, city, "walks/form.html", {
        "form": form, "formset": formset, "map_config": _map_config(city),
        "identifier_note": IDENTIFIER_NOTE,
    }, status=status)


def _spread_errors(exc: ValidationFailed, form: WalkForm, finding_forms: list) -> None:
    """Put the service's errors next to the walk's fields and each finding's fields."""
    for name, msgs in (exc.errors or {None: [exc.message]}).items():
        m = FINDING_ERROR.match(name or "")
        if m and int(m.group(1)) < len(finding_forms):
            target_form, field = finding_forms[int(m.group(1))], m.group(2)
        else:
            target_form, field = form, name
        for msg in msgs:
            target_form.add_error(field if field in target_form.fields else None, msg)


@pages
def walk_edit(request: HttpRequest, walk_id: int) -> HttpResponse:
    viewer, city = require(request, COORDINATE)
    walk = selectors.get_walk(viewer, walk_id)
    organisations = organisations_of(walk.city_id, partners_only=True)
    areas = areas_of(walk.city_id)
    status = 200
    with timezone.override(city_tz(city)):
        if request.method == "POST":
            form = WalkForm(request.POST, organisations=organisations, areas=areas)
            if form.is_valid():
                try:
                    services.update_walk(viewer, walk.pk, form.walk_input())
                except ValidationFailed as exc:
                    add_domain_errors(form, exc)
                else:
                    messages.success(request, _("The safety walk was saved."))
                    return redirect("walks:detail", walk_id=walk.pk)
            status = 422
        else:
            import json

            form = WalkForm(initial={
                "date": walk.date, "area": str(walk.area_id or ""),
                "organisations": [str(o.pk) for o in walk.organisations.all()],
                "residents_count": walk.residents_count,
                "other_participants_count": walk.other_participants_count,
                "notes": walk.notes,
                "route": json.dumps(walk.route) if walk.route else "",
            }, organisations=organisations, areas=areas)
    return render_in(request, city, "walks/form.html", {
        "form": form, "walk": walk,
        "map_config": _map_config(city, route=walk.route,
                                  findings=selectors.findings_of(walk)),
    }, status=status)


@require_POST
@pages
def finding_add(request: HttpRequest, walk_id: int) -> HttpResponse:
    viewer, city = require(request, COORDINATE)
    walk = selectors.get_walk(viewer, walk_id)
    form = FindingForm(request.POST, prefix="finding",
                       organisations=organisations_of(walk.city_id, partners_only=True))
    if form.is_valid():
        try:
            services.add_finding(viewer, walk.pk, form.finding_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Finding added."))
            return redirect(reverse("walks:detail", args=[walk.pk]) + "#findings")
    with timezone.override(city_tz(city)):
        return render_in(request, city, "walks/detail.html",
                         _detail_context(viewer, city, walk, finding_form=form), status=422)


@require_POST
@pages
def finding_status(request: HttpRequest, finding_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    finding = selectors.get_finding(viewer, finding_id)
    form = StatusForm(request.POST)
    fallback = reverse("walks:detail", args=[finding.walk_id]) + "#findings"
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
        return _back(request, request.POST.get("next", ""), fallback)
    finding = services.set_finding_status(viewer, finding.pk, form.cleaned_data["status"])
    messages.success(request, _("%(kind)s: %(status)s.") % {
        "kind": capfirst(finding.get_kind_display()),
        "status": finding.get_status_display()})
    return _back(request, form.cleaned_data.get("next") or "", fallback)


# --- tasks ----------------------------------------------------------------------------------

@pages
def tasks(request: HttpRequest) -> HttpResponse:
    """My organisation's open findings (``?organisation=all`` or an id for others)."""
    viewer, city = require(request, Perm.VIEW_REPORTS)
    seat = viewer.seat_in(city.pk)
    organisations = organisations_of(city.pk, partners_only=True)
    by_id = {str(i): n for i, _s, n in organisations}
    chosen = request.GET.get("organisation") or (str(seat.organisation_id) if seat else "all")
    if chosen != "all" and chosen not in by_id:
        chosen = "all"
    sort = request.GET.get("sort", "due")
    if sort not in selectors.TASK_SORTS:
        sort = "due"
    org_id = None if chosen == "all" else int(chosen)
    page = Paginator(selectors.tasks_for(viewer, city, org_id, sort=sort), 50).get_page(
        request.GET.get("page"))
    can_record = viewer.can(COORDINATE, city.pk)
    can_report = viewer.can(Perm.CREATE_REPORT, city.pk)
    for f in page:
        f.can_update = can_record or (can_report and f.owner_id in viewer.organisation_ids)
    counts = selectors.open_counts_by_owner(viewer, city)
    return render_in(request, city, "walks/tasks.html", {
        "page": page,
        "sort": sort,
        "chosen": chosen,
        "chosen_name": by_id.get(chosen, ""),
        "is_mine": seat is not None and chosen == str(seat.organisation_id),
        "org_choices": [(str(i), n, counts.get(i, 0)) for i, _s, n in organisations],
        "today": timezone.localdate(timezone=city_tz(city)),
        "can_record": can_record,
    })


# --- GeoJSON for the main map -------------------------------------------------------------

def _json_error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail, "fields": {}}, status=status)


@require_GET
def findings_geojson(request: HttpRequest) -> JsonResponse:
    """Open findings (open, in progress) of the viewer's city as a GeoJSON
    FeatureCollection: a layer for the main map. 401 signed out, 403 for non-members."""
    if not request.user.is_authenticated:
        return _json_error(401, "not_authenticated", _("Please sign in."))
    try:
        viewer, city = require(request, Perm.VIEW_REPORTS)
    except DjangoPermissionDenied:
        return _json_error(403, "permission_denied", _("Your role does not allow this."))
    kinds = dict(FindingKind.choices)
    statuses = dict(FindingStatus.choices)
    detail = reverse("walks:detail", args=[0]).replace("/0/", "/{id}/")
    features = []
    rows: list[Finding] = list(selectors.open_findings(viewer, city).order_by("id"))
    for f in rows:
        features.append({
            "type": "Feature",
            "id": f.pk,
            "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]},
            "properties": {
                "kind": f.kind,
                "kind_label": capfirst(str(kinds[f.kind])),
                "status": f.status,
                "status_label": capfirst(str(statuses[f.status])),
                "owner": f.owner.name,
                "owner_id": f.owner_id,
                "due": f.due.isoformat() if f.due else None,
                "walk_id": f.walk_id,
                "walk_date": f.walk.date.isoformat(),
                "url": detail.replace("{id}", str(f.walk_id)) + f"#finding-{f.pk}",
            },
        })
    body = {"type": "FeatureCollection", "city": city.slug, "features": features}
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


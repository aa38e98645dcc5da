"""Pages of the weekly meeting: the list by week, one meeting, and the coordinators' forms.

Every form works without JavaScript: a failed post re-renders the page with the errors
next to the fields (422); a successful one redirects back.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from drugscene.accounts.access import Perm, Viewer
from drugscene.accounts.selectors import organisations_of
from drugscene.cities.models import City
from drugscene.cities.selectors import area_index, areas_of
from drugscene.core import weeks
from drugscene.core.errors import ValidationFailed
from drugscene.meetings import selectors, services
from drugscene.meetings.forms import DecisionForm, MeetingForm, PriorityForm
from drugscene.meetings.models import Meeting
from drugscene.places.selectors import visible_places
from drugscene.web.common import city_tz, pages, render_in, require, viewer_of
from drugscene.web.forms import add_domain_errors

COORDINATE = services.COORDINATE
PAGE_SIZE = 26


def _this_week(city: City) -> str:
    return weeks.of_date(timezone.localdate(timezone=city_tz(city)))


def _valid_week(week: str) -> str:
    if not weeks.is_valid(week):
        raise Http404(_("Not found."))
    return week


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the posted ``next`` when it is a local address, else to ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@pages
def meeting_list(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    page = Paginator(selectors.meetings_of(viewer, city.pk), PAGE_SIZE).get_page(
        request.GET.get("page"))
    this_week = _this_week(city)
    return render_in(request, city, "meetings/list.html", {
        "page": page,
        "this_week": this_week,
        "has_this_week": selectors.visible_meetings(viewer, city_id=city.pk)
        .filter(iso_week=this_week).exists(),
        "can_run": viewer.can(COORDINATE, city.pk),
    })


@pages
def meeting_form(request: HttpRequest, week: str | None = None) -> HttpResponse:
    """Record the meeting of a week (``/meetings/new/``) or edit it (``…/<week>/edit/``).
    Saving a week that already has a meeting updates that meeting."""
    viewer, city = require(request, COORDINATE)
    existing: Meeting | None = None
    if week is not None:
        _valid_week(week)
        existing = selectors.get_meeting(viewer, city.pk, week)
    organisations = organisations_of(city.pk, partners_only=True)
    kwargs = {"organisations": organisations, "fixed_week": week}
    status = 200
    with timezone.override(city_tz(city)):
        if request.method == "POST":
            form = MeetingForm(request.POST, **kwargs)
            if form.is_valid():
                try:
                    meeting = services.save_meeting(viewer, city, form.meeting_input())
                except ValidationFailed as exc:
                    add_domain_errors(form, exc)
                else:
                    messages.success(request, _("The meeting of week %(week)s was saved.")
                                     % {"week": meeting.iso_week})
                    return redirect("meetings:detail", week=meeting.iso_week)
            status = 422
        else:
            wanted = request.GET.get("week") or _this_week(city)
            if existing is None and selectors.visible_meetings(viewer, city_id=city.pk).filter(
                    iso_week=wanted).exists():
                return redirect("meetings:edit", week=wanted)  # never a blank overwrite
            form = MeetingForm(initial=_initial(existing, wanted), **kwargs)
    return render_in(request, city, "meetings/form.html", {
        "form": form, "meeting": existing,
    }, status=status)


def _initial(meeting: Meeting | None, week: str) -> dict:
    """Initial values: the meeting's, or for a new one the week and a date in it (today
    when today lies in that week, else its Monday). Call in the city's time zone."""
    if meeting is None:
        if not weeks.is_valid(week):
            return {"iso_week": ""}
        first, last = weeks.dates(week)
        today = timezone.localdate()
        return {"iso_week": week, "date": today if first <= today <= last else first}
    return {
        "iso_week": meeting.iso_week,
        "date": meeting.date,
        "chair": str(meeting.chair_id or ""),
        "attendees": [str(o.pk) for o in meeting.attendees.all()],
        "notes": meeting.notes,
    }


def _detail_context(request: HttpRequest, viewer: Viewer, city: City, meeting: Meeting,
                    *, decision_form: DecisionForm | None = None,
                    priority_form: PriorityForm | None = None) -> dict:
    can_run = viewer.can(COORDINATE, city.pk)
    organisations = organisations_of(city.pk, partners_only=True)
    data = selectors.meeting_page_data(viewer, meeting)
    _name_cells(city, data)
    ctx = {
        "meeting": meeting,
        **data,
        "next_week": weeks.following(meeting.iso_week),
        "previous_week": weeks.previous(meeting.iso_week),
        "week_dates": weeks.dates(meeting.iso_week),
        "next_week_dates": weeks.dates(weeks.following(meeting.iso_week)),
        "can_run": can_run,
        "my_orgs": sorted(viewer.organisation_ids),
        "can_report": viewer.can(Perm.CREATE_REPORT, city.pk),
        "place_radius": selectors.PLACE_RADIUS_M,
    }
    if can_run:
        places = visible_places(viewer, city_id=city.pk).order_by("name")
        ctx["decision_form"] = decision_form or DecisionForm(organisations=organisations)
        ctx["priority_form"] = priority_form or PriorityForm(
            organisations=organisations, places=places, areas=areas_of(city.pk))
        ctx["hot_cells"] = selectors.hot_cells(viewer, city,
                                               weeks.following(meeting.iso_week))
    return ctx


def _name_cells(city: City, data: dict) -> None:
    """Give each hot-spot priority shown ``cell_area``: the district of the cell's centre,
    to say in words where a cell is."""
    import h3

    shown = [p for _org, ps in data["priorities_by_org"] for p in ps]
    shown += [f.priority for f in data["followups"]]
    names = dict(areas_of(city.pk).values_list("pk", "name"))
    index = area_index(city.pk)
    for p in shown:
        if p.h3_cell:
            lat, lon = h3.cell_to_latlng(p.h3_cell)
            p.cell_area = names.get(index.lookup_one(lon, lat), "")


@pages
def meeting_detail(request: HttpRequest, week: str) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    meeting = selectors.get_meeting(viewer, city.pk, _valid_week(week))
    return render_in(request, city, "meetings/detail.html",
                     _detail_context(request, viewer, city, meeting))


@require_POST
@pages
def decision_add(request: HttpRequest, week: str) -> HttpResponse:
    viewer, city = require(request, COORDINATE)
    meeting = selectors.get_meeting(viewer, city.pk, _valid_week(week))
    form = DecisionForm(request.POST, organisations=organisations_of(city.pk,
                                                                      partners_only=True))
    if form.is_valid():
        try:
            services.add_decision(viewer, meeting.pk, form.decision_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Decision added."))
            return redirect(reverse("meetings:detail", args=[meeting.iso_week]) + "#decisions")
    return render_in(request, city, "meetings/detail.html",
                     _detail_context(request, viewer, city, meeting, decision_form=form),
                     status=422)


@require_POST
@pages
def priority_add(request: HttpRequest, week: str) -> HttpResponse:
    viewer, city = require(request, COORDINATE)
    meeting = selectors.get_meeting(viewer, city.pk, _valid_week(week))
    form = PriorityForm(request.POST, organisations=organisations_of(city.pk,
                                                                      partners_only=True),
                        places=visible_places(viewer, city_id=city.pk).order_by("name"),
                        areas=areas_of(city.pk))
    if form.is_valid():
        try:
            services.add_priority(viewer, meeting.pk, form.priority_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Priority added to the list for week %(week)s.")
                             % {"week": weeks.following(meeting.iso_week)})
            return redirect(reverse("meetings:detail", args=[meeting.iso_week])
                            + "#priorities")
    return render_in(request, city, "meetings/detail.html",
                     _detail_context(request, viewer, city, meeting, priority_form=form),
                     status=422)


@require_POST
@pages
def decision_done(request: HttpRequest, decision_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    done = request.POST.get("done", "1") != "0"
    decision = services.set_decision_done(viewer, decision_id, done)
    messages.success(request, _("Decision marked as done.") if done
                     else _("Decision marked as not done."))
    return _back(request, reverse("meetings:detail", args=[decision.meeting.iso_week])
                 + "#decisions")


@require_POST
@pages
def decision_remove(request: HttpRequest, decision_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    decision = selectors.get_decision(viewer, decision_id)
    services.remove_decision(viewer, decision.pk)
    messages.success(request, _("Decision removed."))
    return redirect(reverse("meetings:detail", args=[decision.meeting.iso_week])
                    + "#decisions")


@require_POST
@pages
def priority_remove(request: HttpRequest, priority_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    priority = selectors.get_priority(viewer, priority_id)
    services.remove_priority(viewer, priority.pk)
    messages.success(request, _("Priority removed."))
    return redirect(reverse("meetings:detail", args=[priority.meeting.iso_week])
                    + "#priorities")

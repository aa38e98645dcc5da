"""Pages of actions: the list, one action, a new action (also from a place or a cause),
editing and the status. Thin: forms parse, services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from drugscene.accounts.access import PERMISSIONS, Perm, Viewer
from drugscene.accounts.selectors import organisations_of
from drugscene.actions import selectors, services
from drugscene.actions.forms import NOT_CPTED, ActionFilterForm, ActionForm, ActionStatusForm
from drugscene.actions.models import KIND_FOR_FACTOR, Action
from drugscene.cities.models import City
from drugscene.cities.selectors import areas_of
from drugscene.core.errors import NotVisible, ValidationFailed
from drugscene.places.selectors import get_place, visible_places
from drugscene.plans.selectors import plan_action_choices
from drugscene.scenes.checks import city_today, seat_organisation
from drugscene.scenes.models import CauseFactor
from drugscene.scenes.selectors import cause_choices, get_cause_factor
from drugscene.web.common import pages, render_in, require, viewer_of
from drugscene.web.forms import add_domain_errors


@pages
def action_list(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    orgs = organisations_of(city.pk, partners_only=True)
    places = visible_places(viewer, city_id=city.pk).filter(actions__isnull=False).distinct()
    form = ActionFilterForm(request.GET, organisations=orgs, places=places.order_by("name"))
    today = city_today(city)
    rows = []
    if form.is_valid():
        cd = form.cleaned_data
        rows = selectors.action_rows(viewer, city.pk, today=today,
                                     status=cd.get("status") or "", owner=cd.get("owner"),
                                     place=cd.get("place"), flag=cd.get("flag") or "")
    return render_in(request, city, "actions/action_list.html", {
        "form": form, "rows": rows, "today": today,
        "can_create": services.may_create_actions(viewer, city.pk),
    }, status=200 if form.is_valid() else 422)


def _owners(viewer: Viewer, city: City) -> list[tuple[int, str, str]]:
    """Organisations the viewer may plan actions for (all partners for coordinators)."""
    orgs = organisations_of(city.pk, partners_only=True)
    if viewer.can(Perm.MANAGE_PLACES, city.pk):
        return orgs
    own = {s.organisation_id for s in viewer.seats
           if s.city_id == city.pk and Perm.CREATE_REPORT in PERMISSIONS[s.role]}
    return [o for o in orgs if o[0] in own]


def _form(request: HttpRequest, viewer: Viewer, city: City, data=None, *,
          initial: dict | None = None, linked: list[int] | tuple[int, ...] = ()) -> ActionForm:
    """The action form; the cause choices follow the chosen (or submitted) place."""
    initial = initial or {}
    place_id = initial.get("place")
    if data is not None:
        try:
            place_id = int(data.get("place") or 0) or None
        except ValueError:
            place_id = None
    submitted = []
    if data is not None:
        submitted = [int(x) for x in data.getlist("causes") if x.isdigit()]
    return ActionForm(
        data, initial=initial,
        places=visible_places(viewer, city_id=city.pk).filter(merged_into__isnull=True)
        .order_by("name"),
        areas=areas_of(city.pk), organisations=_owners(viewer, city),
        causes=cause_choices(place_id, [*linked, *submitted]), today=city_today(city),
        plan_actions=plan_action_choices(city.pk),
    )


def _prefill(request: HttpRequest, viewer: Viewer, city: City
             ) -> tuple[dict, CauseFactor | None]:
    """Initial values from ``?place=`` and ``?cause=`` (the one-click path from a cause),
    and the cause acted on."""
    initial: dict = {"owner": seat_organisation(viewer, city.pk)}
    factor = None
    cause_id = request.GET.get("cause", "")
    place_id = request.GET.get("place", "")
    try:
        if cause_id.isdigit():
            factor = get_cause_factor(viewer, int(cause_id))
            place = factor.analysis.place
            if place.city_id != city.pk:
                raise NotVisible("")
            initial.update(place=place.pk, causes=[factor.pk],
                           kind=KIND_FOR_FACTOR.get(factor.factor, ""),
                           title=f"{capfirst(factor.get_factor_display())}: {place.name}",
                           description=factor.note)
        elif place_id.isdigit():
            place = get_place(viewer, int(place_id))
            if place.city_id == city.pk:
                initial.update(place=place.pk)
    except NotVisible:
        factor = None
    return initial, factor


@pages
def action_new(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    if not services.may_create_actions(viewer, city.pk):
        raise DjangoPermissionDenied(_("Your role does not allow this page."))
    from_cause = None
    if request.method == "POST":
        form = _form(request, viewer, city, request.POST)
        if form.is_valid():
            try:
                action = services.create_action(viewer, city, form.to_input())
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Action “%(title)s” saved.")
                                 % {"title": action.title})
                return redirect("actions:action-detail", action_id=action.pk)
        status = 422
    else:
        initial, from_cause = _prefill(request, viewer, city)
        form = _form(request, viewer, city, initial=initial)
        status = 200
    return render_in(request, city, "actions/action_form.html", {
        "form": form, "action": None, "from_cause": from_cause,
    }, status=status)


def _detail(request: HttpRequest, viewer: Viewer, action: Action,
            status_form: ActionStatusForm | None = None, status: int = 200) -> HttpResponse:
    today = city_today(action.city)
    return render_in(request, action.city, "actions/action_detail.html", {
        "action": action,
        "flag": selectors.deadline_flag(action, today),
        "causes": list(action.causes.select_related("analysis")),
        "follow_ups": list(action.follow_ups.order_by("due_date")),
        "can_edit": services.acts_for(viewer, action.owner_id, action.city_id),
        "status_form": status_form or ActionStatusForm(initial={"status": action.status,
                                                                "end": action.end}),
        "today": today,
    }, status=status)


@pages
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    return _detail(request, viewer, selectors.get_action(viewer, action_id))


def _editable(request: HttpRequest, action_id: int) -> tuple[Viewer, Action]:
    viewer = viewer_of(request)
    action = selectors.get_action(viewer, action_id)
    if not services.acts_for(viewer, action.owner_id, action.city_id):
        raise DjangoPermissionDenied(_("Your role does not allow this page."))
    return viewer, action


@pages
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    viewer, action = _editable(request, action_id)
    city = action.city
    linked = list(action.causes.values_list("pk", flat=True))
    if request.method == "POST":
        form = _form(request, viewer, city, request.POST, linked=linked)
        if form.is_valid():
            try:
                services.update_action(viewer, action.pk, form.to_input())
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Action saved."))
                return redirect("actions:action-detail", action_id=action.pk)
        status = 422
    else:
        initial = {
            "title": action.title, "place": action.place_id, "area": action.area_id,
            "owner": action.owner_id, "kind": action.kind,
            "cpted_principle": action.cpted_principle or NOT_CPTED, "causes": linked,
            "description": action.description, "start": action.start, "end": action.end,
            "status": action.status, "cost": action.cost,
            "patrol_minutes": action.patrol_minutes,
            "patrol_visits_per_week": action.patrol_visits_per_week,
            "plan_action_ref": (str(action.plan_action_id) if action.plan_action_id
                                else action.plan_action_ref),
        }
        form = _form(request, viewer, city, initial=initial, linked=linked)
        status = 200
    return render_in(request, city, "actions/action_form.html", {
        "form": form, "action": action,
    }, status=status)


@require_POST
@pages
def action_status(request: HttpRequest, action_id: int) -> HttpResponse:
    viewer, action = _editable(request, action_id)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            action = services.change_action_status(viewer, action.pk,
                                                   form.cleaned_data["status"],
                                                   end=form.cleaned_data.get("end"))
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Status: %(status)s.")
                             % {"status": action.get_status_display()})
            return redirect("actions:action-detail", action_id=action.pk)
    return _detail(request, viewer, action, form, status=422)

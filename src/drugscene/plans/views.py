"""Pages of drug-policy plans: the list with the import, one plan's progress, the health
check, a plan action with its progress, goals and sub-goals, and the downloads (PDF, CSV,
XLSX). Thin: forms parse, services write, selectors read."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from drugscene.accounts.access import Perm, Viewer
from drugscene.cities.selectors import areas_of
from drugscene.core.errors import NotVisible, ValidationFailed
from drugscene.indicators.models import Indicator
from drugscene.plans import render, selectors, services, transfer
from drugscene.plans.forms import (
    BudgetLineForm,
    GoalForm,
    ImportForm,
    MeetingForm,
    MilestoneForm,
    PlanActionForm,
    PlanForm,
    ProgressForm,
    SubGoalForm,
)
from drugscene.plans.models import GHENT_THEMES, Milestone, Plan, PlanAction
from drugscene.scenes.checks import city_today
from drugscene.web.common import pages, render_in, require, viewer_of
from drugscene.web.forms import add_domain_errors


def _plan_of(request: HttpRequest, plan_id: int) -> tuple[Viewer, Plan]:
    viewer = viewer_of(request)
    return viewer, selectors.get_plan(viewer, plan_id)


def _editor(viewer: Viewer, city_id: int) -> None:
    if not services.may_edit(viewer, city_id):
        raise DjangoPermissionDenied(_("Your role does not allow this page."))


# --- list, new plan, import -----------------------------------------------------------------

@pages
def plan_list(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    return _list_page(request, viewer, city, ImportForm())


def _list_page(request, viewer, city, import_form, problems=None, status=200):
    plans = selectors.plans_of(viewer, city.pk)
    current = selectors.current_plan(city)
    rows = [(p, selectors.public_summary(p)["totals"]) for p in plans]
    return render_in(request, city, "plans/list.html", {
        "rows": rows, "current": current, "can_edit": services.may_edit(viewer, city.pk),
        "import_form": import_form, "problems": problems or [],
        "columns": transfer.COLUMNS,
    }, status=status)


@require_POST
@pages
def plan_import(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    _editor(viewer, city.pk)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            plan = transfer.import_plan(viewer, city, f.read(), f.name,
                                        form.cleaned_data.get("title") or "")
        except transfer.ImportFailed as exc:
            return _list_page(request, viewer, city, form, exc.lines, status=422)
        messages.success(request, _("Plan “%(title)s” imported with %(n)s actions.")
                         % {"title": plan.title, "n": plan.actions.count()})
        return redirect("plans:detail", plan_id=plan.pk)
    return _list_page(request, viewer, city, form, status=422)


def _plan_form_page(request: HttpRequest, plan: Plan | None) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    _editor(viewer, city.pk)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            themes = list(GHENT_THEMES) if form.cleaned_data.get("ghent_themes") else []
            try:
                if plan is None:
                    saved = services.create_plan(viewer, city, form.plan_input(themes))
                else:
                    saved = services.update_plan(viewer, plan.pk, form.plan_input())
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("The plan was saved."))
                return redirect("plans:detail", plan_id=saved.pk)
        status = 422
    elif plan is None:
        form = PlanForm(initial={"ghent_themes": True})
    else:
        form = PlanForm(initial={f: getattr(plan, f) for f in (
            "title", "period_start", "period_end", "approved_on", "approved_by",
            "yearly_budget_eur", "summary")})
    return render_in(request, city, "plans/plan_form.html", {"form": form, "plan": plan},
                     status=status)


@pages
def plan_new(request: HttpRequest) -> HttpResponse:
    return _plan_form_page(request, None)


@pages
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    _viewer, plan = _plan_of(request, plan_id)
    return _plan_form_page(request, plan)


# --- one plan -------------------------------------------------------------------------------

def _detail_page(request, viewer, plan, meeting_form=None, budget_form=None, status=200):
    today = city_today(plan.city)
    ctx = render.plan_context(plan, today)
    groups = list(plan.groups.prefetch_related("members", "meetings"))
    can_edit = services.may_edit(viewer, plan.city_id)
    ctx.update({
        "can_edit": can_edit,
        "actions": list(selectors.plan_actions(plan)),
        "groups": groups,
        "meeting_form": (meeting_form or MeetingForm(groups=groups, initial={"date": today}))
        if can_edit and groups else None,
        "budget_form": (budget_form or BudgetLineForm()) if can_edit else None,
    })
    return render_in(request, plan.city, "plans/detail.html", ctx, status=status)


@pages
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    viewer, plan = _plan_of(request, plan_id)
    return _detail_page(request, viewer, plan)


@require_POST
@pages
def meeting_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    viewer, plan = _plan_of(request, plan_id)
    _editor(viewer, plan.city_id)
    form = MeetingForm(request.POST, groups=plan.groups.all())
    if form.is_valid():
        try:
            services.record_meeting(viewer, plan.pk, form.meeting_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect(reverse("plans:detail", args=[plan.pk]) + "#governance")
    return _detail_page(request, viewer, plan, form, status=422)


@pages
def plan_health(request: HttpRequest, plan_id: int) -> HttpResponse:
    viewer, plan = _plan_of(request, plan_id)
    findings = selectors.health_check(plan, city_today(plan.city))
    return render_in(request, plan.city, "plans/health.html", {
        "plan": plan, "findings": findings, "groups": selectors.findings_by_kind(findings),
    })


def _csv_response(rows: list[list], name: str) -> HttpResponse:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    response = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; "
                                                                       "charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@pages
def health_csv(request: HttpRequest, plan_id: int) -> HttpResponse:
    _viewer, plan = _plan_of(request, plan_id)
    rows = [["kind", "object_type", "object_id", "object", "message"]]
    rows += [[f.kind, f.object_type, f.object_id, str(f.obj), f.message]
             for f in selectors.health_check(plan, city_today(plan.city))]
    return _csv_response(rows, f"plan-{plan.pk}-health-check.csv")


@pages
def progress_csv(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One row per pillar, theme and working group, and the whole plan."""
    _viewer, plan = _plan_of(request, plan_id)
    data = selectors.progress(plan, city_today(plan.city))
    statuses = list(data["overall"]["by_status"])
    rows = [["level", "name", "actions", *statuses, "done_share", "budget_eur", "spent_eur",
             "overdue_milestones", "sub_goals_on_track", "sub_goals_off_track",
             "sub_goals_unknown"]]
    levels = [("plan", [data["overall"]]), ("pillar", data["pillars"]),
              ("theme", data["themes"]), ("working_group", data["working_groups"])]
    for level, buckets in levels:
        for b in buckets:
            rows.append([level, b["name"], b["n_actions"],
                         *(b["by_status"][s] for s in statuses), b["done_share"],
                         f"{b['budget_eur']:.2f}", f"{b['spent_eur']:.2f}",
                         b["overdue_milestones"], b["sub_goals"]["on_track"],
                         b["sub_goals"]["off_track"], b["sub_goals"]["unknown"]])
    return _csv_response(rows, f"plan-{plan.pk}-progress.csv")


@pages
def progress_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    _viewer, plan = _plan_of(request, plan_id)
    pdf = render.progress_pdf(plan, city_today(plan.city))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(plan.title) or f"plan-{plan.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-progress.pdf"'
    return response


@pages
def plan_export(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    _viewer, plan = _plan_of(request, plan_id)
    if fmt not in ("csv", "xlsx"):
        raise NotVisible(_("Not found."))
    name = slugify(plan.title) or f"plan-{plan.pk}"
    if fmt == "xlsx":
        response = HttpResponse(
            transfer.export_xlsx(plan),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(transfer.export_csv(plan), content_type="text/csv; "
                                                                       "charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- goals and sub-goals --------------------------------------------------------------------

def _sub_goal_form(plan: Plan, data=None, *, with_goal: bool = False, **kwargs
                   ) -> SubGoalForm:
    return SubGoalForm(data, indicators=Indicator.objects.filter(city_id=plan.city_id,
                                                                 active=True),
                       areas=areas_of(plan.city_id),
                       goals=plan.goals.order_by("code", "id") if with_goal else None,
                       **kwargs)


def _goals_page(request, viewer, plan, *, goal_form=None, sub_form=None, status=200):
    can_edit = services.may_edit(viewer, plan.city_id)
    states = {st.sub.pk: st for st in selectors.sub_goal_states(plan)}
    goals = list(plan.goals.select_related("pillar").prefetch_related("sub_goals")
                 .order_by("code", "id"))
    for g in goals:
        g.states = [states[s.pk] for s in g.sub_goals.all() if s.pk in states]
    return render_in(request, plan.city, "plans/goals.html", {
        "plan": plan, "goals": goals, "can_edit": can_edit,
        "goal_form": goal_form or GoalForm(pillars=plan.pillars.all()),
        "sub_form": sub_form or _sub_goal_form(plan, with_goal=True),
    }, status=status)


@pages
def goals(request: HttpRequest, plan_id: int) -> HttpResponse:
    viewer, plan = _plan_of(request, plan_id)
    return _goals_page(request, viewer, plan)


@require_POST
@pages
def goal_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    viewer, plan = _plan_of(request, plan_id)
    _editor(viewer, plan.city_id)
    form = GoalForm(request.POST, pillars=plan.pillars.all())
    if form.is_valid():
        try:
            goal = services.save_goal(viewer, plan.pk, form.goal_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Goal added."))
            return redirect(reverse("plans:goals", args=[plan.pk]) + f"#goal-{goal.pk}")
    return _goals_page(request, viewer, plan, goal_form=form, status=422)


@require_POST
@pages
def sub_goal_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    viewer, plan = _plan_of(request, plan_id)
    _editor(viewer, plan.city_id)
    form = _sub_goal_form(plan, request.POST, with_goal=True)
    if form.is_valid():
        goal_id = form.cleaned_data["goal"]
        try:
            services.save_sub_goal(viewer, goal_id, form.sub_goal_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Sub-goal added."))
            return redirect(reverse("plans:goals", args=[plan.pk]) + f"#goal-{goal_id}")
    return _goals_page(request, viewer, plan, sub_form=form, status=422)


@pages
def sub_goal_edit(request: HttpRequest, sub_goal_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    sub = selectors.get_sub_goal(viewer, sub_goal_id)
    plan = sub.goal.plan
    _editor(viewer, plan.city_id)
    status = 200
    if request.method == "POST":
        form = _sub_goal_form(plan, request.POST)
        if form.is_valid():
            try:
                services.save_sub_goal(viewer, sub.goal_id, form.sub_goal_input(), sub.pk)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Sub-goal saved."))
                return redirect(reverse("plans:goals", args=[plan.pk]) + f"#goal-{sub.goal_id}")
        status = 422
    else:
        form = _sub_goal_form(plan, initial={
            "title": sub.title, "indicator": sub.indicator_id, "area": sub.area_id,
            "baseline": sub.baseline, "target": sub.target, "deadline": sub.deadline})
    return render_in(request, plan.city, "plans/sub_goal_form.html", {
        "form": form, "sub": sub, "plan": plan}, status=status)


# --- one plan action ------------------------------------------------------------------------

def _action_page(request, viewer, action: PlanAction, *, progress_form=None,
                 milestone_form=None, status=200):
    today = city_today(action.plan.city)
    can_report = services.may_report_progress(viewer, action)
    return render_in(request, action.plan.city, "plans/action.html", {
        "plan": action.plan, "a": action, "today": today,
        "milestones": list(action.milestones.all()),
        "notes": list(action.notes.select_related("organisation")),
        "themes": list(action.themes.all()), "partners": list(action.partners.all()),
        "goals": list(action.goals.all()),
        "operational": selectors.operational_actions(action),
        "last_update": selectors.last_update(action),
        "stale": selectors.is_stale(action, today),
        "can_report": can_report, "can_edit": services.may_edit(viewer, action.plan.city_id),
        "progress_form": progress_form or ProgressForm(initial={
            "status": action.status, "spent_eur": action.spent_eur, "date": today}),
        "milestone_form": milestone_form or MilestoneForm(),
    }, status=status)


@pages
def action_detail(request: HttpRequest, plan_action_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    return _action_page(request, viewer, selectors.get_plan_action(viewer, plan_action_id))


@require_POST
@pages
def action_progress(request: HttpRequest, plan_action_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    action = selectors.get_plan_action(viewer, plan_action_id)
    if not services.may_report_progress(viewer, action):
        raise DjangoPermissionDenied(_("Your role does not allow this page."))
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.record_progress(viewer, action.pk, form.progress_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect(reverse("plans:action", args=[action.pk]) + "#progress")
    return _action_page(request, viewer, action, progress_form=form, status=422)


@require_POST
@pages
def milestone_add(request: HttpRequest, plan_action_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    action = selectors.get_plan_action(viewer, plan_action_id)
    _editor(viewer, action.plan.city_id)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.add_milestone(viewer, action.pk, form.cleaned_data.get("title") or "",
                                   form.cleaned_data.get("due"))
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Milestone added."))
            return redirect(reverse("plans:action", args=[action.pk]) + "#milestones")
    return _action_page(request, viewer, action, milestone_form=form, status=422)


@require_POST
@pages
def milestone_done(request: HttpRequest, milestone_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    m = Milestone.objects.filter(pk=milestone_id).only("plan_action_id").first()
    if m is None:
        raise NotVisible(_("Milestone %(id)s not found.") % {"id": milestone_id})
    action = selectors.get_plan_action(viewer, m.plan_action_id)
    if not services.may_report_progress(viewer, action):
        raise DjangoPermissionDenied(_("Your role does not allow this page."))
    services.complete_milestone(viewer, milestone_id)
    messages.success(request, _("Milestone marked done."))
    return redirect(reverse("plans:action", args=[action.pk]) + "#milestones")


def _plan_action_form_page(request: HttpRequest, plan: Plan, action: PlanAction | None
                           ) -> HttpResponse:
    viewer = viewer_of(request)
    _editor(viewer, plan.city_id)
    orgs = services.partner_organisations(plan.city_id)
    status = 200
    if request.method == "POST":
        form = PlanActionForm(request.POST, plan=plan, organisations=orgs)
        if form.is_valid():
            try:
                saved = services.save_plan_action(viewer, plan.pk, form.plan_action_input(),
                                                  action.pk if action else None)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Action saved."))
                return redirect("plans:action", plan_action_id=saved.pk)
        status = 422
    elif action is None:
        form = PlanActionForm(plan=plan, organisations=orgs)
    else:
        form = PlanActionForm(plan=plan, organisations=orgs, initial={
            "number": action.number, "title": action.title, "pillar": action.pillar_id,
            "themes": [t.pk for t in action.themes.all()],
            "goals": [g.pk for g in action.goals.all()],
            "lead_organisation": action.lead_organisation_id,
            "partners": [o.pk for o in action.partners.all()],
            "working_group": action.working_group_id, "budget_eur": action.budget_eur,
            "start": action.start, "end": action.end, "description": action.description})
    return render_in(request, plan.city, "plans/action_form.html", {
        "form": form, "plan": plan, "a": action}, status=status)


@pages
def action_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    _viewer, plan = _plan_of(request, plan_id)
    return _plan_action_form_page(request, plan, None)


@pages
def action_edit(request: HttpRequest, plan_action_id: int) -> HttpResponse:
    action = selectors.get_plan_action(viewer_of(request), plan_action_id)
    return _plan_action_form_page(request, action.plan, action)


@pages
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    from drugscene.plans.models import Goal

    viewer = viewer_of(request)
    goal = Goal.objects.select_related("plan", "plan__city").filter(pk=goal_id).first()
    if goal is None or not selectors.visible_plans(viewer).filter(pk=goal.plan_id).exists():
        raise NotVisible(_("Goal %(id)s not found.") % {"id": goal_id})
    plan = goal.plan
    _editor(viewer, plan.city_id)
    status = 200
    if request.method == "POST":
        form = GoalForm(request.POST, pillars=plan.pillars.all())
        if form.is_valid():
            try:
                services.save_goal(viewer, plan.pk, form.goal_input(), goal.pk)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Goal saved."))
                return redirect(reverse("plans:goals", args=[plan.pk]) + f"#goal-{goal.pk}")
        status = 422
    else:
        form = GoalForm(pillars=plan.pillars.all(), initial={
            "code": goal.code, "title": goal.title, "pillar": goal.pillar_id})
    return render_in(request, plan.city, "plans/goal_form.html", {
        "form": form, "goal": goal, "plan": plan}, status=status)


@require_POST
@pages
def sub_goal_remove(request: HttpRequest, sub_goal_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    sub = selectors.get_sub_goal(viewer, sub_goal_id)
    plan_id, goal_id = sub.goal.plan_id, sub.goal_id
    services.remove_sub_goal(viewer, sub.pk)
    messages.success(request, _("Sub-goal removed."))
    return redirect(reverse("plans:goals", args=[plan_id]) + f"#goal-{goal_id}")


@require_POST
@pages
def budget_line_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    viewer, plan = _plan_of(request, plan_id)
    _editor(viewer, plan.city_id)
    form = BudgetLineForm(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        try:
            services.add_budget_line(viewer, plan.pk, cd.get("label") or "",
                                     cd.get("amount_eur"), cd.get("year"))
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Budget line added."))
            return redirect(reverse("plans:detail", args=[plan.pk]) + "#overall-title")
    return _detail_page(request, viewer, plan, budget_form=form, status=422)

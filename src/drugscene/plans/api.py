"""REST API routes of the plans app, mounted under /api/v1/ by drugscene.api.views.

``GET /plans?city=SLUG`` lists a city's plans; ``GET /plans/{id}/progress`` gives, per
pillar, the actions by status with budget and spent, and the plan health check. Same
authentication, visibility and error shape as the rest of the API.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from drugscene.accounts.access import viewer_for
from drugscene.cities.selectors import city_for
from drugscene.plans import selectors

router = Router(tags=["plans"])


def _plan_dict(plan, n_actions: int) -> dict:
    return {
        "id": plan.pk, "city": plan.city.slug, "title": plan.title,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "approved_on": plan.approved_on.isoformat() if plan.approved_on else None,
        "approved_by": plan.approved_by,
        "yearly_budget_eur": float(plan.yearly_budget_eur)
        if plan.yearly_budget_eur is not None else None,
        "n_actions": n_actions,
    }


@router.get("/plans")
def list_plans(request: HttpRequest, city: str | None = None):
    """The city's drug-policy plans, newest period first."""
    viewer = viewer_for(request.user)
    c = city_for(viewer, city)
    return [_plan_dict(p, p.actions.count()) for p in selectors.plans_of(viewer, c.pk)]


@router.get("/plans/{plan_id}/progress")
def plan_progress(request: HttpRequest, plan_id: int):
    """Per pillar (and theme, working group): actions by status, budget and spent, overdue
    milestones, sub-goals on or off track; plus the health-check findings."""
    viewer = viewer_for(request.user)
    plan = selectors.get_plan(viewer, plan_id)
    data = selectors.progress(plan)
    data["plan"] = _plan_dict(plan, data["overall"]["n_actions"])
    data["findings"] = [f.as_dict() for f in selectors.health_check(plan)]
    return data

"""Writes of plans: who may do what, scrubbed text, audit in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from drugscene.audit.models import AuditEntry
from drugscene.core.errors import PermissionDenied, ValidationFailed
from drugscene.plans import services
from drugscene.plans.models import Plan, PlanAction, ProgressNote
from drugscene.scenes.checks import city_today

pytestmark = pytest.mark.django_db
PHONE = "070-123 45 67"


@pytest.fixture
def plan(world):
    return services.create_plan(
        world.viewer("municipality_coordinator"), world.city,
        services.PlanInput(title="Plan", period_start=date(2026, 1, 1),
                           period_end=date(2030, 12, 31), yearly_budget_eur="2500000"))


@pytest.fixture
def action(plan, world):
    return PlanAction.objects.create(plan=plan, number="1.1", title="Outreach",
                                     pillar=plan.pillars.get(code="care"),
                                     lead_organisation=world.orgs["social"],
                                     start=date(2026, 1, 1))


def test_a_new_plan_has_ghents_five_pillars(plan):
    assert [p.code for p in plan.pillars.all()] == [
        "prevention", "early_intervention", "care", "harm_reduction", "enforcement"]
    assert plan.yearly_budget_eur == Decimal("2500000.00")
    assert AuditEntry.objects.filter(object_type="plans.plan", action="create").count() == 1


@pytest.mark.parametrize("user", ["police_viewer", "police_reporter", "police_analyst",
                                  "municipality_reporter"])
def test_only_coordinators_keep_the_plan(world, user):
    with pytest.raises(PermissionDenied):
        services.create_plan(world.viewer(user), world.city, services.PlanInput(
            title="x", period_start=date(2026, 1, 1), period_end=date(2027, 1, 1)))


def test_plan_problems_are_named_together(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create_plan(world.viewer("municipality_coordinator"), world.city,
                             services.PlanInput(title="", period_start=date(2026, 1, 1),
                                                period_end=date(2025, 1, 1),
                                                yearly_budget_eur="-3"))
    assert set(exc.value.errors) == {"title", "period_end", "yearly_budget_eur"}
    assert not Plan.objects.exists()


@pytest.mark.parametrize(("user", "allowed"), [
    ("municipality_coordinator", True), ("police_admin", True), ("police_analyst", True),
    ("social_reporter", True),  # the lead organisation
    ("police_reporter", False), ("social_viewer", False), ("housing_coordinator", True),
])
def test_who_records_progress(world, action, user, allowed):
    data = services.ProgressInput(text="Started", status="ongoing")
    if allowed:
        services.record_progress(world.viewer(user), action.pk, data)
        action.refresh_from_db()
        assert action.status == "ongoing" and action.last_progress == city_today(world.city)
    else:
        with pytest.raises(PermissionDenied):
            services.record_progress(world.viewer(user), action.pk, data)
        assert not ProgressNote.objects.exists()


def test_progress_note_is_scrubbed_and_audited(world, action):
    viewer = world.viewer("police_analyst")
    services.record_progress(viewer, action.pk, services.ProgressInput(
        text=f"Ring samordnaren på {PHONE}", spent_eur="1200.5",
        date=city_today(world.city) - timedelta(days=3)))
    note = ProgressNote.objects.get()
    assert "123 45 67" not in note.text and note.author == world.users["police_analyst"]
    assert note.organisation == world.orgs["police"]
    action.refresh_from_db()
    assert action.spent_eur == Decimal("1200.50")
    entry = AuditEntry.objects.get(object_type="plans.planaction", action="progress")
    assert entry.changes["spent_eur"] == [None, "1200.50"] and entry.changes["note"] == note.pk
    assert PHONE not in str(entry.changes)


def test_progress_needs_something_and_no_future(world, action):
    viewer = world.viewer("municipality_coordinator")
    with pytest.raises(ValidationFailed) as exc:
        services.record_progress(viewer, action.pk, services.ProgressInput())
    assert "text" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.record_progress(viewer, action.pk, services.ProgressInput(
            text="x", status="finished", date=city_today(world.city) + timedelta(days=1)))
    assert set(exc.value.errors) == {"status", "date"}


def test_milestones_and_sub_goals(world, plan, action):
    coord = world.viewer("municipality_coordinator")
    m = services.add_milestone(coord, action.pk, "Report", date(2026, 3, 1))
    with pytest.raises(PermissionDenied):
        services.add_milestone(world.viewer("social_reporter"), action.pk, "x",
                               date(2026, 3, 1))
    services.complete_milestone(world.viewer("social_reporter"), m.pk)
    m.refresh_from_db()
    assert m.done_on == city_today(world.city)
    goal = services.save_goal(coord, plan.pk, services.GoalInput(code="G1", title="Fewer"))
    with pytest.raises(ValidationFailed) as exc:
        services.save_goal(coord, plan.pk, services.GoalInput(code="G1", title="Again"))
    assert "code" in exc.value.errors
    west = world.city.areas.get(slug="west")
    sub = services.save_sub_goal(coord, goal.pk, services.SubGoalInput(
        title="West", baseline=10, target=5, deadline=date(2028, 1, 1), area_id=west.pk))
    assert sub.area == west and sub.indicator is None
    with pytest.raises(ValidationFailed) as exc:
        services.save_sub_goal(coord, goal.pk, services.SubGoalInput(
            title="", indicator_id=999999, deadline=date(2020, 1, 1)))
    assert set(exc.value.errors) == {"title", "indicator", "deadline"}
    with pytest.raises(PermissionDenied):
        services.save_sub_goal(world.viewer("police_analyst"), goal.pk,
                               services.SubGoalInput(title="x"))


def test_meetings_of_the_steering_group(world, plan):
    steering = plan.groups.get(kind="steering")
    coord = world.viewer("municipality_coordinator")
    m = services.record_meeting(coord, plan.pk, services.MeetingInput(
        group_id=steering.pk, date=date(2026, 3, 1), open=True,
        decisions=f"Report to the council; contact {PHONE}"))
    assert m.open and "123 45 67" not in m.decisions
    assert AuditEntry.objects.filter(object_type="plans.groupmeeting").count() == 1
    with pytest.raises(ValidationFailed) as exc:
        services.record_meeting(coord, plan.pk, services.MeetingInput(group_id=None,
                                                                       date=None))
    assert set(exc.value.errors) == {"group", "date", "decisions"}
    with pytest.raises(PermissionDenied):
        services.record_meeting(world.viewer("police_analyst"), plan.pk, services.MeetingInput(
            group_id=steering.pk, date=date(2026, 3, 1), notes="x"))

"""Pages of drug-policy plans: ``plans:list`` (the nav entry "Plan") ..."""

from django.urls import path

from drugscene.plans import views

app_name = "plans"
urlpatterns = [
    path("plans/", views.plan_list, name="list"),
    path("plans/new/", views.plan_new, name="new"),
    path("plans/import/", views.plan_import, name="import"),
    path("plans/<int:plan_id>/", views.plan_detail, name="detail"),
    path("plans/<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("plans/<int:plan_id>/meetings/", views.meeting_add, name="meeting-add"),
    path("plans/<int:plan_id>/budget-lines/", views.budget_line_add, name="budget-line-add"),
    path("plans/<int:plan_id>/health/", views.plan_health, name="health"),
    path("plans/<int:plan_id>/health.csv", views.health_csv, name="health-csv"),
    path("plans/<int:plan_id>/progress.csv", views.progress_csv, name="progress-csv"),
    path("plans/<int:plan_id>/progress.pdf", views.progress_pdf, name="progress-pdf"),
    path("plans/<int:plan_id>/actions.<str:fmt>", views.plan_export, name="export"),
    path("plans/<int:plan_id>/goals/", views.goals, name="goals"),
    path("plans/<int:plan_id>/goals/add/", views.goal_add, name="goal-add"),
    path("plans/<int:plan_id>/sub-goals/add/", views.sub_goal_add, name="sub-goal-add"),
    path("plans/goals/<int:goal_id>/edit/", views.goal_edit, name="goal-edit"),
    path("plans/sub-goals/<int:sub_goal_id>/edit/", views.sub_goal_edit, name="sub-goal-edit"),
    path("plans/sub-goals/<int:sub_goal_id>/remove/", views.sub_goal_remove,
         name="sub-goal-remove"),
    path("plans/<int:plan_id>/actions/new/", views.action_new, name="action-new"),
    path("plans/actions/<int:plan_action_id>/", views.action_detail, name="action"),
    path("plans/actions/<int:plan_action_id>/edit/", views.action_edit, name="action-edit"),
    path("plans/actions/<int:plan_action_id>/progress/", views.action_progress,
         name="action-progress"),
    path("plans/actions/<int:plan_action_id>/milestones/", views.milestone_add,
         name="milestone-add"),
    path("plans/milestones/<int:milestone_id>/done/", views.milestone_done,
         name="milestone-done"),
]

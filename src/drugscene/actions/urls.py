"""Pages of actions (namespace ``actions``)."""

from django.urls import path

from drugscene.actions import views

app_name = "actions"
urlpatterns = [
    path("actions/", views.action_list, name="action-list"),
    path("actions/new/", views.action_new, name="action-new"),
    path("actions/<int:action_id>/", views.action_detail, name="action-detail"),
    path("actions/<int:action_id>/edit/", views.action_edit, name="action-edit"),
    path("actions/<int:action_id>/status", views.action_status, name="action-status"),
]

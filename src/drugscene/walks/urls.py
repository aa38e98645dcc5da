"""Pages of safety walks and tasks: ``walks:list``, ``walks:tasks`` ..."""

from django.urls import path

from drugscene.walks import views

app_name = "walks"
urlpatterns = [
    path("walks/", views.walk_list, name="list"),
    path("walks/new/", views.walk_new, name="new"),
    path("walks/findings.geojson", views.findings_geojson, name="findings-geojson"),
    path("walks/<int:walk_id>/", views.walk_detail, name="detail"),
    path("walks/<int:walk_id>/edit/", views.walk_edit, name="edit"),
    path("walks/<int:walk_id>/findings/", views.finding_add, name="finding-add"),
    path("walks/findings/<int:finding_id>/status/", views.finding_status,
         name="finding-status"),
    path("tasks/", views.tasks, name="tasks"),
]

"""Pages of the evidence catalogue: ``evidence:list`` (the nav entry), ``evidence:detail``
and ``evidence:panel`` (the fragment the action form loads when the kind changes)."""

from django.urls import path

from drugscene.evidence import views

app_name = "evidence"
urlpatterns = [
    path("evidence/", views.catalogue_list, name="list"),
    path("evidence/<slug:key>/", views.entry_detail, name="detail"),
    path("evidence/<slug:key>/panel/", views.entry_panel, name="panel"),
]

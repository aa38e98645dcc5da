"""OGC API – Features at ``/ogc/`` (mounted by drugscene.urls)."""

from django.urls import path

from drugscene.ogc import views

app_name = "ogc"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("conformance", views.conformance, name="conformance"),
    path("api", views.api, name="api"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:collection_id>", views.collection, name="collection"),
    path("collections/<str:collection_id>/items", views.items, name="items"),
    path("collections/<str:collection_id>/queryables", views.queryables, name="queryables"),
    path("collections/<str:collection_id>/items/<str:feature_id>", views.item, name="item"),
]

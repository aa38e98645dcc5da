"""The public page of a city (no login) and the comparison of cities (signed in)."""

from django.urls import path

from drugscene.public import views

app_name = "public"
urlpatterns = [
    path("public/<slug:city>/", views.public_page, name="page"),
    path("public/<slug:city>/hexagons.geojson", views.public_hexagons, name="hexagons"),
    path("compare/", views.compare_page, name="compare"),
    path("compare/data.json", views.compare_json, name="compare-json"),
]

"""Pages of the ogc app (filled in by its issue)."""

from django.urls import path  # noqa: F401

app_name = "ogc"
urlpatterns: list = []

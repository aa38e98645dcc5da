"""Pages of the indicators app (filled in by its issue)."""

from django.urls import path  # noqa: F401

app_name = "indicators"
urlpatterns: list = []

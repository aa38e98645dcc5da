"""Pages of the open311 app (filled in by its issue)."""

from django.urls import path  # noqa: F401

app_name = "open311"
urlpatterns: list = []

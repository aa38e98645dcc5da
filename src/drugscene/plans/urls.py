"""Pages of the plans app (filled in by its issue)."""

from django.urls import path  # noqa: F401

app_name = "plans"
urlpatterns: list = []

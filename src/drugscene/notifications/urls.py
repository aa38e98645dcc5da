"""Pages of the notifications app (filled in by its issue)."""

from django.urls import path  # noqa: F401

app_name = "notifications"
urlpatterns: list = []

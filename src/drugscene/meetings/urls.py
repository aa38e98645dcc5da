"""Pages of the weekly meeting: ``meetings:list``, ``meetings:detail`` ..."""

from django.urls import path, register_converter

from drugscene.core.weeks import PATH_PATTERN
from drugscene.meetings import views


class IsoWeekConverter:
    """``2026-W05`` in a path (whether the week exists is checked by the view: 404)."""

    regex = PATH_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IsoWeekConverter, "isoweek")

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/new/", views.meeting_form, name="new"),
    path("meetings/<isoweek:week>/", views.meeting_detail, name="detail"),
    path("meetings/<isoweek:week>/edit/", views.meeting_form, name="edit"),
    path("meetings/<isoweek:week>/decisions/", views.decision_add, name="decision-add"),
    path("meetings/<isoweek:week>/priorities/", views.priority_add, name="priority-add"),
    path("meetings/decisions/<int:decision_id>/done/", views.decision_done,
         name="decision-done"),
    path("meetings/decisions/<int:decision_id>/remove/", views.decision_remove,
         name="decision-remove"),
    path("meetings/priorities/<int:priority_id>/remove/", views.priority_remove,
         name="priority-remove"),
]

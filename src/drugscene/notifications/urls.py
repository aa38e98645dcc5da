"""Pages of the notifications app: ``notifications:inbox``, ``notifications:settings``."""

from django.urls import path

from drugscene.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read-all/", views.mark_all_read, name="read-all"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="read"),
    path("notifications/settings/", views.settings_page, name="settings"),
]

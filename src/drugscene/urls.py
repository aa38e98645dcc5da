"""URL map: pages, the REST API, the admin and the language switch."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from drugscene.api.views import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("drugscene.scenes.urls")),
    path("", include("drugscene.actions.urls")),
    path("", include("drugscene.meetings.urls")),
    path("", include("drugscene.walks.urls")),
    path("", include("drugscene.promises.urls")),
    path("", include("drugscene.situation.urls")),
    path("", include("drugscene.plans.urls")),
    path("", include("drugscene.indicators.urls")),
    path("", include("drugscene.evidence.urls")),
    path("", include("drugscene.notifications.urls")),
    path("", include("drugscene.public.urls")),
    path("open311/v2/", include("drugscene.open311.urls")),
    path("ogc/", include("drugscene.ogc.urls")),
    path("", include("drugscene.web.urls")),
]

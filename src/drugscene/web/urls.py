"""Pages. Names are in the ``web`` namespace: ``web:map``, ``web:login`` ..."""

from django.urls import path

from drugscene.web.views import audit, auth, maps, reports, review, tip

app_name = "web"
urlpatterns = [
    path("", maps.map_page, name="map"),
    path("map/data", maps.map_data, name="map-data"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/new/", reports.report_new, name="report-new"),
    path("reports/<int:report_id>/", reports.report_detail, name="report-detail"),
    path("reports/<int:report_id>/review", reports.report_review, name="report-review"),
    path("review/", review.review_page, name="review"),
    path("tip/", tip.tip, name="tip"),
    path("tip/thanks/", tip.tip_thanks, name="tip-thanks"),
    path("audit/", audit.audit_page, name="audit"),
]

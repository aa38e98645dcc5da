"""Pages of the scene register (namespace ``scenes``)."""

from django.urls import path

from drugscene.scenes import views

app_name = "scenes"
urlpatterns = [
    path("places/", views.place_list, name="place-list"),
    path("places/new/", views.place_new, name="place-new"),
    path("places/candidates/", views.candidates, name="candidates"),
    path("places/candidates/<int:candidate_id>/accept/", views.candidate_accept,
         name="candidate-accept"),
    path("places/candidates/<int:candidate_id>/dismiss/", views.candidate_dismiss,
         name="candidate-dismiss"),
    path("places/<int:place_id>/", views.place_detail, name="place-detail"),
    path("places/<int:place_id>/status/", views.place_status, name="place-status"),
    path("places/<int:place_id>/assess/", views.place_assess, name="place-assess"),
    path("places/<int:place_id>/causes/", views.place_causes, name="place-causes"),
    path("places/<int:place_id>/merge/", views.place_merge, name="place-merge"),
    path("places/<int:place_id>/split/", views.place_split, name="place-split"),
]

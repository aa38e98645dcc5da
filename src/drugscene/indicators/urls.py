"""Pages of the indicators: ``indicators:list`` (the nav entry), ``indicators:detail`` ..."""

from django.urls import path

from drugscene.indicators import views

app_name = "indicators"
urlpatterns = [
    path("indicators/", views.indicator_list, name="list"),
    path("indicators/import/", views.import_page, name="import"),
    path("indicators/<int:indicator_id>/", views.indicator_detail, name="detail"),
    path("indicators/<int:indicator_id>/measurements/", views.measurement_add,
         name="measurement-add"),
    path("indicators/measurements/<int:measurement_id>/delete/", views.measurement_delete,
         name="measurement-delete"),
]

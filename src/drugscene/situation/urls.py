from django.urls import path

from drugscene.situation import views

app_name = "situation"
urlpatterns = [
    path("situation/", views.picture_page, name="page"),
    path("situation/picture.pdf", views.picture_pdf, name="pdf"),
]

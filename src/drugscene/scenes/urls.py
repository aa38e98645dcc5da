from django.urls import path

app_name = "scenes"
urlpatterns: list = []

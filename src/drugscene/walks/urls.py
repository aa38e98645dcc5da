from django.urls import path

app_name = "walks"
urlpatterns: list = []

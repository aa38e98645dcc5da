from django.urls import path

app_name = "promises"
urlpatterns: list = []

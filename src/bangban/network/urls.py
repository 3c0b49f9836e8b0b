from django.urls import path  # noqa: F401 - routes are added by the pages

app_name = "network"
urlpatterns = []

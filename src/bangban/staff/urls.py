from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("helpers/", views.helpers, name="helpers"),
]

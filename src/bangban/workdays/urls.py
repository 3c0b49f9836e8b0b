from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("days/", views.day_edit, name="day_edit"),
    path("years/", views.year_publish, name="year_publish"),
]

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("items/<int:pk>/", views.item, name="item"),
    path("materials/<int:pk>/<str:which>/", views.material_file, name="material_file"),
    path("c/<str:token>/", views.case, name="case"),
]

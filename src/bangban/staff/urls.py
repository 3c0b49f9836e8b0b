from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("helpers/", views.helpers, name="helpers"),
    path("helpers/<int:pk>/", views.helper_detail, name="helper"),
    path("helpers/<int:pk>/edit/", views.helper_edit, name="helper_edit"),
    path("people/<int:user_id>/profile/", views.helper_new, name="helper_new"),
    path("trainings/", views.organisers, name="organisers"),
    path("trainings/organisers/<int:pk>/", views.organiser_detail, name="organiser"),
    path("trainings/organisers/<int:pk>/new/", views.training_new, name="training_new"),
    path(
        "trainings/organisers/<int:pk>/coverage/",
        views.organiser_coverage,
        name="organiser_coverage",
    ),
    path("trainings/<int:pk>/", views.training_detail, name="training"),
    path("trainings/<int:pk>/results/", views.training_results, name="training_results"),
    path("trainings/<int:pk>/material/", views.training_material, name="training_material"),
    path("compliance/", views.compliance_overview, name="compliance"),
    path("compliance/points/<int:pk>/", views.compliance_point, name="compliance_point"),
    path("directory/", views.directory_page, name="directory"),
    path("directory/export.xlsx", views.directory_export, name="directory_export"),
    path("helpers/import/", views.helpers_import, name="helpers_import"),
    path("helpers/import/template.xlsx", views.helpers_template, name="helpers_template"),
    path("helpers/export.xlsx", views.helpers_export, name="helpers_export"),
    path("equipment/import/", views.equipment_import, name="equipment_import"),
    path("equipment/template.xlsx", views.equipment_template, name="equipment_template"),
    path("equipment/export.xlsx", views.equipment_export, name="equipment_export"),
]

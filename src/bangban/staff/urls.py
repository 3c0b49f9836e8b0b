from django.urls import path

from .views import compliance_pages, directory_pages, excel_pages, helper_pages, training_pages

app_name = "staff"
urlpatterns = [
    path("helpers/", helper_pages.helpers, name="helpers"),
    path("helpers/<int:pk>/", helper_pages.helper_detail, name="helper"),
    path("helpers/<int:pk>/edit/", helper_pages.helper_edit, name="helper_edit"),
    path("people/<int:user_id>/profile/", helper_pages.helper_new, name="helper_new"),
    path("trainings/", training_pages.organisers, name="organisers"),
    path("trainings/organisers/<int:pk>/", training_pages.organiser_detail, name="organiser"),
    path("trainings/organisers/<int:pk>/new/", training_pages.training_new, name="training_new"),
    path(
        "trainings/organisers/<int:pk>/coverage/",
        training_pages.organiser_coverage,
        name="organiser_coverage",
    ),
    path("trainings/<int:pk>/", training_pages.training_detail, name="training"),
    path("trainings/<int:pk>/results/", training_pages.training_results, name="training_results"),
    path(
        "trainings/<int:pk>/material/", training_pages.training_material, name="training_material"
    ),
    path("compliance/", compliance_pages.compliance_overview, name="compliance"),
    path("compliance/points/<int:pk>/", compliance_pages.compliance_point, name="compliance_point"),
    path("directory/", directory_pages.directory_page, name="directory"),
    path("directory/export.xlsx", directory_pages.directory_export, name="directory_export"),
    path("helpers/import/", excel_pages.helpers_import, name="helpers_import"),
    path("helpers/import/template.xlsx", excel_pages.helpers_template, name="helpers_template"),
    path("helpers/export.xlsx", excel_pages.helpers_export, name="helpers_export"),
    path("equipment/import/", excel_pages.equipment_import, name="equipment_import"),
    path("equipment/template.xlsx", excel_pages.equipment_template, name="equipment_template"),
    path("equipment/export.xlsx", excel_pages.equipment_export, name="equipment_export"),
]

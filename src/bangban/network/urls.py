from django.urls import path

from . import account_views, chart_views, equipment_views, sessions, unit_views, views

app_name = "network"
urlpatterns = [
    path("network/", views.tree, name="tree"),
    path("session/", sessions.session, name="session"),
    path("session/back/", sessions.session_back, name="session_back"),
    path("points/<int:pk>/", views.point_detail, name="point"),
    path("points/<int:pk>/edit/", views.point_edit, name="point_edit"),
    path("points/<int:pk>/add/", views.point_add, name="point_add"),
    path("points/<int:pk>/hours/", views.point_hours, name="point_hours"),
    path(
        "points/<int:pk>/accounts/new/", account_views.point_account_new, name="point_account_new"
    ),
    path("departments/", unit_views.departments, name="department_list"),
    path("departments/new/", unit_views.department_new, name="department_new"),
    path("departments/<int:pk>/", unit_views.department_edit, name="department_edit"),
    path("departments/<int:pk>/active/", unit_views.department_active, name="department_active"),
    path("organisations/", unit_views.organisations, name="organisation_list"),
    path("organisations/new/", unit_views.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/", unit_views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<int:pk>/active/", unit_views.organisation_active, name="organisation_active"
    ),
    path("accounts/", account_views.accounts, name="accounts"),
    path("accounts/new/", account_views.account_new, name="account_new"),
    path("chart/", chart_views.chart, name="chart_home"),
    path("points/<int:pk>/chart/", chart_views.chart, name="chart"),
    path("points/<int:pk>/chart.svg", chart_views.chart_svg, name="chart_svg"),
    path("points/<int:pk>/equipment/add/", equipment_views.equipment_add, name="equipment_add"),
    path("equipment/<int:pk>/edit/", equipment_views.equipment_edit, name="equipment_edit"),
    path(
        "equipment/<int:pk>/checks/add/",
        equipment_views.equipment_check_add,
        name="equipment_check_add",
    ),
    path("points/<int:pk>/signage/", equipment_views.point_signage, name="point_signage"),
    path("points/<int:pk>/signage/photo", equipment_views.signage_photo, name="signage_photo"),
]

from django.urls import path

from . import excel_views, views

app_name = "catalog"

urlpatterns = [
    path("", views.items, name="items"),
    path("new/", views.item_new, name="item_new"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/active/", views.item_active, name="item_active"),
    path("<int:pk>/print/", views.item_print, name="item_print"),
    path("<int:pk>/revisions/<int:number>/", views.revision_detail, name="revision"),
    path("import/", excel_views.items_import, name="import"),
    path("template.xlsx", excel_views.items_template, name="template"),
    path("export.xlsx", excel_views.items_export, name="export"),
]

from django.contrib import admin
from django.urls import include, path

from bangban.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("bangban.network.urls")),
]

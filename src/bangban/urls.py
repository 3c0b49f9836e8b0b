from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bangban.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", include("bangban.staff.urls")),
    path("calendar/", include("bangban.workdays.urls")),
    path("catalog/", include("bangban.catalog.urls")),
    path("cases/", include("bangban.cases.urls")),
    path("p/", include("bangban.portal.urls")),
    path("", include("bangban.network.urls")),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bangban.api import api
from bangban.cases.home_views import home

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
    # 首页: where every login lands, each role on its own work (decision 0036).
    path("", home, name="home"),
    path("", include("bangban.network.urls")),
]

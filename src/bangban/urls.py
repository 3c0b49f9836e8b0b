from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from bangban.api import api
from bangban.cases.home_views import home


class FaviconView(RedirectView):
    """/favicon.ico, asked for by browsers and tools whatever the pages link: to the SVG icon."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("bangban/favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
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
    path("feedback/", include("bangban.feedback.urls")),
    path("pj/", include("bangban.feedback.public_urls")),
    path("supervision/", include("bangban.supervision.urls")),
    path("mailbox/", include("bangban.supervision.public_urls")),
    path("p/", include("bangban.portal.urls")),
    # 首页: where every login lands, each role on its own work (decision 0036).
    path("", home, name="home"),
    path("", include("bangban.network.urls")),
]

# The error pages in the product's own voice, and JSON under /api/ (bangban/errors.py, decision 0031).
handler400 = "bangban.errors.bad_request"
handler403 = "bangban.errors.permission_denied"
handler404 = "bangban.errors.page_not_found"
handler500 = "bangban.errors.server_error"

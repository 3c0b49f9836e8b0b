"""Errors in the product's own voice (bangban/errors.py, decision 0031): no 500 for long usernames or
NUL characters, the 400/403/404/413/500 and CSRF pages in the site's layout in Chinese or English
with DEBUG on or off, JSON under /api/, and the favicon."""

from __future__ import annotations

from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from bangban import urls as project_urls
from bangban.network.models import Role
from tests.network.test_api import assert_error, token_for

API = "/api/v1"
DEBUG_ON_AND_OFF = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])


def text(response) -> str:
    return response.content.decode()


def in_layout(response) -> str:
    """The page is an HTML page of the site's layout; its text."""
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    body = text(response)
    assert 'class="skip-link"' in body and "site-footer" in body, body[:500]
    return body


def says(body: str, language: str, chinese: str, english: str) -> bool:
    """The page says `chinese`; in English `english`, or `chinese` until the catalogue has it."""
    if language == "en":
        return english.lower() in body.lower() or chinese in body
    return chinese in body


# --- A test URLconf with views that fail, under the project's own handlers ----------------------


def _boom(request):
    raise RuntimeError("boom: a bug in a view")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", _boom),
    path("api/v1/boom", _boom),
    path("forbidden/", _forbidden),
    path("fine/", lambda request: HttpResponse("fine")),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

WITH_FAILING_VIEWS = override_settings(ROOT_URLCONF=__name__)


@pytest.fixture
def axes_on():
    from axes.handlers.proxy import AxesProxyHandler

    with override_settings(AXES_ENABLED=True):
        AxesProxyHandler.get_implementation(force=True)
        yield
    AxesProxyHandler.get_implementation(force=True)


@pytest.fixture
def helper(yiyuan, make_account):
    return make_account(Role.HELPER, yiyuan.station("鲁村镇"))


@pytest.fixture
def as_helper(client, helper):
    client.force_login(helper)
    return client


# --- Long usernames (django-axes' attempt row has 255 characters) ---------------------------------


@pytest.mark.parametrize("length", [151, 255, 256, 300, 5000])
def test_a_long_username_is_a_wrong_login_not_a_500(client, db, axes_on, length):
    response = client.post("/login/", {"username": "a" * length, "password": "whatever-1"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in text(response)  # the form's wrong-login message
    # The attempt still counts, under the name cut to axes' column.
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "a" * min(length, 255)


def test_a_long_username_locks_out_like_any_other(client, db, axes_on, settings):
    name = "b" * 300
    statuses = [
        client.post("/login/", {"username": name, "password": "wrong-1"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_a_long_username_at_the_admin_login(client, db, axes_on):
    response = client.post("/admin/login/", {"username": "c" * 300, "password": "whatever-1"})
    assert response.status_code == 200


@pytest.mark.parametrize("length", [151, 256, 300])
def test_a_long_username_for_a_token_is_a_422(client, db, axes_on, length):
    response = client.post(
        f"{API}/auth/token",
        {"username": "a" * length, "password": "whatever-1"},
        content_type="application/json",
    )
    assert_error(response, 422, "username")
    assert not AccessAttempt.objects.exists()


# --- NUL characters (PostgreSQL refuses them in text) --------------------------------------------

PAGES_WITH_A_QUERY = [
    "/cases/new/items/?item_q=%00",
    "/cases/new/items/?item_q=%E4%BD%8E%00%E4%BF%9D",
    "/cases/?q=12%00",
    "/cases/options/?field=point&point_find=%00",
    "/catalog/?q=%00",
    "/staff/directory/?q=%00",
    "/staff/helpers/?q=%00",
    "/?q=%00",
    "/?point=%00",
    "/accounts/?q=%00",
    "/cases/?%00=1",
]


@pytest.mark.parametrize("url", PAGES_WITH_A_QUERY)
def test_a_nul_in_a_query_string_is_a_400_page(as_helper, url):
    response = as_helper.get(url)
    assert response.status_code == 400
    assert "请求有误" in in_layout(response)


def test_a_nul_in_the_public_pages_query_is_a_400_in_their_layout(client, db):
    response = client.get("/p/items/1/?x=%00")
    assert response.status_code == 400
    body = text(response)
    assert "请求有误" in body and "portal-header" in body


def test_a_nul_in_a_form_is_a_400(client, db, axes_on):
    response = client.post("/login/", {"username": "x\x00y", "password": "whatever-1"})
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()


def test_a_nul_in_the_query_of_a_login_is_a_400(client, db, axes_on):
    """django-axes stores the query of a failed login."""
    response = client.post("/login/?next=/%00", {"username": "x", "password": "whatever-1"})
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()


def test_a_nul_in_the_path_is_a_404(as_helper):
    response = as_helper.get("/points/1%00/")
    assert response.status_code == 404
    assert "页面不存在" in in_layout(response)


def test_a_nul_in_the_session_cookie_is_a_400(client, db):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/")
    assert response.status_code == 400


def test_a_nul_in_an_api_query_is_a_422(client, helper):
    token = token_for(client, helper)
    for query in ("q=%00", "limit=1%00", "%00=1"):
        response = client.get(f"{API}/points?{query}", headers={"authorization": f"Bearer {token}"})
        assert_error(response, 422, "query")


def test_a_nul_in_an_api_path_is_a_json_404(client, helper):
    token = token_for(client, helper)
    response = client.get(f"{API}/points/1%00", headers={"authorization": f"Bearer {token}"})
    assert_error(response, 404)


# --- Too much -------------------------------------------------------------------------------------


@DEBUG_ON_AND_OFF
def test_a_host_not_served_is_the_400_page(client, db, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/login/", headers={"host": "bangban.example.org"})
    assert response.status_code == 400
    assert "请求有误" in in_layout(response)
    assert "ALLOWED_HOSTS" not in text(response)


@DEBUG_ON_AND_OFF
def test_a_form_too_large_is_a_413_page(client, db, debug):
    with override_settings(DEBUG=debug, DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = client.post("/login/", {"username": "x", "password": "y" * 2000})
    assert response.status_code == 413
    assert "提交的内容过大" in in_layout(response)


@DEBUG_ON_AND_OFF
def test_a_form_with_too_many_fields_is_a_413_page(client, db, debug):
    with override_settings(DEBUG=debug, DATA_UPLOAD_MAX_NUMBER_FIELDS=10):
        response = client.post("/login/", {f"f{n}": "x" for n in range(20)})
    assert response.status_code == 413


def test_a_query_with_too_many_fields_is_a_400_page(client, db):
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10):
        response = client.get("/login/?" + "&".join(f"f{n}=x" for n in range(20)))
    assert response.status_code == 400


def test_an_api_query_with_too_many_fields_is_a_json_400(client, db):
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10):
        response = client.get(f"{API}/points?" + "&".join(f"f{n}=x" for n in range(20)))
    assert assert_error(response, 400)[0]["type"] == "bad_request"


def test_a_multipart_form_without_a_boundary_is_a_400_page(client, db):
    response = client.post("/login/", data=b"username=x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "请求有误" in in_layout(response)


# --- The pages, in Chinese and English, with DEBUG on and off -------------------------------------


@DEBUG_ON_AND_OFF
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_unknown_address_is_the_404_page(client, db, debug, language):
    client.cookies["django_language"] = language
    with override_settings(DEBUG=debug):
        response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = in_layout(response)
    assert says(body, language, "页面不存在", "not found")
    if language == "en":
        assert '<html lang="en">' in body and "Skip to main content" in body
    else:
        assert '<html lang="zh-Hans">' in body and "跳到主要内容" in body
    assert "Using the URLconf" not in body and "Django" not in body


@DEBUG_ON_AND_OFF
def test_a_missing_object_is_the_404_page(as_helper, debug):
    with override_settings(DEBUG=debug):
        response = as_helper.get("/points/999999999/")
    assert response.status_code == 404
    body = in_layout(response)
    assert "页面不存在" in body and "Traceback" not in body
    # The signed-in user's menu is there.
    assert "工作台账" in body and "退出登录" in body


@DEBUG_ON_AND_OFF
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_forbidden_action_is_the_403_page(as_helper, debug, language):
    as_helper.cookies["django_language"] = language
    with override_settings(DEBUG=debug):
        response = as_helper.post("/calendar/days/", {"day": "2026-01-01", "kind": "holiday"})
    assert response.status_code == 403
    body = in_layout(response)
    assert says(body, language, "无权访问", "permission")
    assert f'<html lang="{"en" if language == "en" else "zh-Hans"}">' in body


@DEBUG_ON_AND_OFF
@WITH_FAILING_VIEWS
def test_permission_denied_anywhere_is_the_403_page(client, db, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "无权访问" in in_layout(response)


@DEBUG_ON_AND_OFF
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_nul_is_the_400_page(client, db, debug, language):
    client.cookies["django_language"] = language
    with override_settings(DEBUG=debug):
        response = client.get("/login/?next=%00")
    assert response.status_code == 400
    body = in_layout(response)
    assert f'<html lang="{"en" if language == "en" else "zh-Hans"}">' in body
    assert "Traceback" not in body


@DEBUG_ON_AND_OFF
@WITH_FAILING_VIEWS
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_bug_is_the_500_page(client, db, debug, language):
    client.raise_request_exception = False
    client.cookies["django_language"] = language
    with override_settings(DEBUG=debug):
        response = client.get("/boom/")
    assert response.status_code == 500
    body = text(response)
    assert f'<html lang="{"en" if language == "en" else "zh-Hans"}">' in body
    assert says(body, language, "系统出错了", "went wrong")
    assert "boom" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "bootstrap.min.css" in body  # the minimal layout, styled as the site


@WITH_FAILING_VIEWS
def test_the_500_page_needs_no_database(client, db, django_assert_num_queries):
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    assert response.status_code == 500


@WITH_FAILING_VIEWS
def test_a_bug_still_reaches_the_test_client_and_the_log(client, db, caplog):
    """The page stands in for the traceback on screen, not in the log (or in a test's failure)."""
    with override_settings(DEBUG=True), pytest.raises(RuntimeError, match="boom"):
        client.get("/boom/")
    client.raise_request_exception = False
    with override_settings(DEBUG=True):
        client.get("/boom/")
    assert any(
        record.levelname == "ERROR" and record.exc_info and "boom" in str(record.exc_info[1])
        for record in caplog.records
    )


@WITH_FAILING_VIEWS
def test_django_s_technical_pages_only_when_asked_for(client, db):
    client.raise_request_exception = False
    with override_settings(DEBUG=True, BANGBAN_DEBUG_PAGES=True):
        not_found = client.get("/no/such/page/")
        boom = client.get("/boom/", headers={"accept": "text/html"})
    assert not_found.status_code == 404 and "Using the URLconf" in text(not_found)
    assert boom.status_code == 500 and "RuntimeError" in text(boom)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_csrf_failure_is_its_own_page(db, language):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = in_layout(response)
    assert says(body, language, "页面已过期", "expired")
    assert "CSRF verification failed" not in body
    assert f'<html lang="{"en" if language == "en" else "zh-Hans"}">' in body


# --- Under /api/: the JSON shape, whatever DEBUG says ---------------------------------------------


@DEBUG_ON_AND_OFF
def test_an_unknown_api_address_is_a_json_404(client, db, debug):
    with override_settings(DEBUG=debug):
        for url in (f"{API}/no-such-thing", f"{API}/points/1/nothing", "/api/v2/points"):
            assert_error(client.get(url), 404)


@DEBUG_ON_AND_OFF
@WITH_FAILING_VIEWS
def test_a_bug_under_the_api_is_a_json_500(client, db, debug):
    client.raise_request_exception = False
    with override_settings(DEBUG=debug):
        response = client.get(f"{API}/boom")
    assert response.status_code == 500
    assert response.json()["detail"][0]["type"] == "server_error"


@DEBUG_ON_AND_OFF
def test_a_bug_in_an_api_operation_is_a_json_500(client, helper, debug, monkeypatch):
    """ninja answers a plain-text traceback with DEBUG on; the API hands it to the 500 handler."""
    token = token_for(client, helper)

    def broken(*args, **kwargs):
        raise RuntimeError("boom in the API")

    monkeypatch.setattr("bangban.network.api.points.point_out", broken)
    client.raise_request_exception = False
    with override_settings(DEBUG=debug):
        response = client.get(f"{API}/points", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "boom" not in text(response)
    assert response.json()["detail"][0]["type"] == "server_error"


# --- The favicon -----------------------------------------------------------------------------------


def test_the_favicon(client, as_helper):
    icon = finders.find("bangban/favicon.svg")
    assert icon and Path(icon).read_text(encoding="utf-8").startswith("<svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/bangban/favicon.svg"
    link = '<link rel="icon" href="/static/bangban/favicon.svg" type="image/svg+xml">'
    assert link in text(as_helper.get("/"))
    assert link in text(Client().get("/login/"))

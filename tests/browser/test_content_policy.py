"""The pages the other browser tests do not open, in a real browser under the Content-Security-Policy
(decision 0044): the Django admin (its list with the action checkboxes, a change form with its
widgets) and the API's Swagger UI. Any violation fails the test (conftest.no_policy_violations); the
checks here say that the pages also work."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"


def test_the_admin_works_under_the_policy(page, live_server, yiyuan_committed):
    admin = get_user_model().objects.create_superuser("root-csp", password=PASSWORD)
    station = yiyuan_committed.station("鲁村镇")
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/network/servicepoint/")
    page.locator("#action-toggle").check()  # admin/js/actions.js selects every row
    assert page.locator("tr.selected").count() > 1

    page.goto(f"{live_server.url}/admin/network/servicepoint/{station.pk}/change/")
    assert page.locator("#id_name").input_value() == station.name
    page.goto(f"{live_server.url}/admin/network/membership/add/")
    assert page.locator("form").count() >= 1


def test_the_api_docs_work_under_the_policy(page, live_server, yiyuan_committed):
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".opblock").first.wait_for()  # Swagger UI read the OpenAPI document and drew it
    assert page.locator(".opblock").count() > 10

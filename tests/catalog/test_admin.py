"""The catalog in Django admin: superusers read it; nobody adds, changes or deletes there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from bangban.catalog.models import ItemRevision


@pytest.fixture
def operator(client, db):
    user = get_user_model().objects.create_superuser("operator", password="Secure-pass-123")
    client.force_login(user)
    return client


@pytest.fixture
def item(make_item):
    return make_item()


@pytest.mark.parametrize("model", ["serviceitem", "itemrevision"])
def test_the_lists_open_and_search(operator, item, model):
    response = operator.get(f"/admin/catalog/{model}/")
    assert response.status_code == 200
    assert "城乡居民基本医疗保险参保登记" in response.content.decode()
    response = operator.get(f"/admin/catalog/{model}/", {"q": "医疗保险"})
    assert response.status_code == 200
    assert "城乡居民基本医疗保险参保登记" in response.content.decode()


def test_an_item_page_is_read_only_with_its_revisions(operator, item):
    url = f"/admin/catalog/serviceitem/{item.pk}/change/"
    response = operator.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert item.implementation_code in text
    assert "第 1 版" in text or "城乡居民基本医疗保险参保登记" in text
    assert 'name="_save"' not in text  # view only: no save button
    assert operator.post(url, {"active": ""}).status_code == 403
    item.refresh_from_db()
    assert item.active


def test_a_revision_page_shows_its_materials_read_only(operator, item):
    revision = item.current
    url = f"/admin/catalog/itemrevision/{revision.pk}/change/"
    response = operator.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert "城乡居民基本医疗保险参保登记表" in text  # a material
    assert "窗口免费提供，可现场填写" in text
    assert 'name="_save"' not in text
    assert operator.post(url, {"name": "改过的名称"}).status_code == 403
    revision.refresh_from_db()
    assert revision.name == "城乡居民基本医疗保险参保登记"


@pytest.mark.parametrize("model", ["serviceitem", "itemrevision"])
def test_nothing_is_added_or_deleted_in_admin(operator, item, model):
    assert operator.get(f"/admin/catalog/{model}/add/").status_code == 403
    pk = item.pk if model == "serviceitem" else item.current_id
    assert operator.get(f"/admin/catalog/{model}/{pk}/delete/").status_code == 403
    assert operator.post(f"/admin/catalog/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert ItemRevision.objects.filter(pk=item.current_id).exists()


def test_staff_who_are_not_superusers_are_refused(client, item):
    user = get_user_model().objects.create_user(
        "staffer", password="Secure-pass-123", is_staff=True
    )
    client.force_login(user)
    for url in (
        "/admin/catalog/serviceitem/",
        f"/admin/catalog/serviceitem/{item.pk}/change/",
        f"/admin/catalog/itemrevision/{item.current_id}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

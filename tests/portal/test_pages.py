"""The public item page and material downloads: no login, only an active item's current revision,
404 for everything else."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangban.catalog import actions
from bangban.catalog.actions import ItemData, MaterialData
from bangban.catalog.models import Material

from ..catalog.conftest import MATERIALS, item_data

PDF = b"%PDF-1.4 blank form\n"
PNG = b"\x89PNG\r\n\x1a\n sample"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(yiyuan):
    return actions.create_item(
        yiyuan.county,
        implementation_code="11370323MB00000PUB1",
        data=item_data(yiyuan, guide="携带身份证件。\n到窗口办理。"),
        by=None,
        materials=[
            MaterialData(
                name="参保登记表",
                kind=Material.Kind.FORM,
                originals=1,
                blank_form=SimpleUploadedFile("参保登记表.pdf", PDF),
                sample=SimpleUploadedFile("样表.png", PNG),
            ),
            MaterialData(name="户口簿", necessity=Material.Necessity.DEFERRABLE, copies=1),
        ],
    )


def text(response) -> str:
    return response.content.decode()


def file_url(material, which="blank_form") -> str:
    return reverse("portal:material_file", args=[material.pk, which])


def test_the_item_page_is_public(client, yiyuan, item):
    response = client.get(reverse("portal:item", args=[item.pk]))
    body = text(response)
    assert response.status_code == 200
    assert "城乡居民基本医疗保险参保登记" in body
    assert yiyuan.subzone("medical_insurance").name in body
    assert "各村（社区）便民服务站" in body
    assert "网上办" in body and "上门办" not in body
    assert "1 个工作日" in body and "20 个工作日" in body
    assert "原件 1 份" in body and "复印件 1 份" in body
    assert '<span class="deferrable-badge">容缺后补</span>' in body
    assert "携带身份证件。<br>到窗口办理。" in body
    assert "帮办代办服务全程免费" in body
    assert file_url(item.current.materials.get(position=1)) in body


def test_the_public_page_shows_no_staff_navigation(client, item):
    body = text(client.get(reverse("portal:item", args=[item.pk])))
    assert reverse("catalog:items") not in body
    assert "退出登录" not in body


def test_a_missing_item_is_404(client, db):
    assert client.get(reverse("portal:item", args=[999999])).status_code == 404


def test_an_item_out_of_use_is_404(client, item):
    actions.set_item_active(item, active=False, by=None)
    assert client.get(reverse("portal:item", args=[item.pk])).status_code == 404


def test_the_page_shows_the_current_revision(client, item):
    data = replace(ItemData.of(item.current), name="新名称")
    materials = [MaterialData.of(m) for m in item.current.materials.all()]
    actions.revise_item(item, data=data, materials=materials, by=None)
    body = text(client.get(reverse("portal:item", args=[item.pk])))
    assert "新名称" in body and "城乡居民基本医疗保险参保登记" not in body


def test_a_blank_form_downloads_as_an_attachment(client, item):
    material = item.current.materials.get(position=1)
    response = client.get(file_url(material))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_a_sample_downloads_too(client, item):
    material = item.current.materials.get(position=1)
    response = client.get(file_url(material, "sample"))
    assert b"".join(response.streaming_content) == PNG


def test_a_bad_kind_of_file_is_404(client, item):
    material = item.current.materials.get(position=1)
    assert client.get(file_url(material, "guide")).status_code == 404


def test_a_material_without_the_file_is_404(client, item):
    material = item.current.materials.get(position=2)
    assert client.get(file_url(material)).status_code == 404


def test_a_missing_material_is_404(client, db):
    assert client.get(reverse("portal:material_file", args=[999999, "sample"])).status_code == 404


def test_a_file_gone_from_storage_is_404(client, item):
    material = item.current.materials.get(position=1)
    material.blank_form.storage.delete(material.blank_form.name)
    assert client.get(file_url(material)).status_code == 404


def test_an_older_revisions_material_is_404(client, item):
    old = item.current.materials.get(position=1)
    data = replace(ItemData.of(item.current), name="新名称")
    actions.revise_item(item, data=data, materials=MATERIALS, by=None)
    assert client.get(file_url(old)).status_code == 404


def test_the_material_of_an_item_out_of_use_is_404(client, item):
    material = item.current.materials.get(position=1)
    actions.set_item_active(item, active=False, by=None)
    assert client.get(file_url(material)).status_code == 404


def test_the_public_pages_refuse_to_be_written_to(client, item):
    material = item.current.materials.get(position=1)
    assert client.post(reverse("portal:item", args=[item.pk])).status_code == 405
    assert client.post(file_url(material)).status_code == 405

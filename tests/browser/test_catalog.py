"""A helper searches the catalog in Chinese, opens the item and prints its one-time notice list on
exactly one A4 page; the list, item, print and public pages have no serious or critical
accessibility violations (axe-core), on a desktop and on a 360 px phone."""

import re

import pytest

from bangban.catalog import actions
from bangban.catalog.actions import MaterialData
from bangban.catalog.models import Material
from bangban.network.models import Role

from ..catalog.conftest import MATERIALS, item_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"

#: Twelve materials, as a county office writes them: the most a typical item has.
TWELVE = [
    *MATERIALS,
    MaterialData(name="营业执照或事业单位法人证书", kind="certificate", copies=1),
    MaterialData(name="法定代表人身份证明", copies=1, notes="加盖单位公章"),
    MaterialData(
        name="授权委托书",
        kind="form",
        originals=1,
        necessity="optional",
        notes="委托他人办理的提供，须写明委托事项和期限",
    ),
    MaterialData(name="受托人居民身份证", kind="certificate", originals=1, copies=1),
    MaterialData(name="近期一寸免冠彩色照片", originals=2, notes="白色背景，近 6 个月内拍摄"),
    MaterialData(
        name="户籍所在地村（居）委会证明",
        originals=1,
        necessity=Material.Necessity.DEFERRABLE,
        notes="可先受理，五个工作日内补交",
    ),
    MaterialData(name="银行账户信息", form="electronic", notes="社会保障卡金融账户或本人银行卡"),
    MaterialData(name="残疾人证", kind="certificate", copies=1, necessity="optional"),
    MaterialData(name="低保证明", copies=1, necessity="optional", notes="民政部门出具"),
]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF Chromium made (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.fixture
def item(yiyuan_committed):
    return actions.create_item(
        yiyuan_committed.county,
        implementation_code="11370323MB01234567",
        data=item_data(
            yiyuan_committed,
            guide="符合条件的城乡居民持有效身份证件办理。\n可在网上、掌上或到就近便民服务中心办理。",
        ),
        materials=TWELVE,
        by=None,
    )


def test_helper_searches_in_chinese_opens_the_item_and_prints_one_page(
    page, live_server, yiyuan_committed, make_account, item, axe, shots
):
    station = yiyuan_committed.station("鲁村镇")
    helper = make_account(Role.HELPER, station, password=PASSWORD)
    log_in(page, live_server, helper.username)

    page.get_by_role("link", name="事项目录").first.click()
    page.wait_for_url(f"{live_server.url}/catalog/")
    assert axe(page) == [], "catalog list"
    page.get_by_label("搜索事项").fill("医疗保险")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/catalog/?q=*")
    page.get_by_role("link", name="城乡居民基本医疗保险参保登记").click()
    page.wait_for_url(f"{live_server.url}/catalog/{item.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "城乡居民基本医疗保险参保登记"
    assert page.get_by_text("容缺后补").first.is_visible()
    assert axe(page) == [], "item page"
    if shots:
        page.screenshot(path=str(shots / "catalog-item-desktop.png"), full_page=True)

    page.get_by_role("link", name="打印一次性告知清单").click()
    page.wait_for_url(f"{live_server.url}/catalog/{item.pk}/print/")
    sheet = page.locator("article.print-sheet")
    assert station.name in sheet.inner_text()
    assert sheet.locator("svg.qr-code").get_attribute("data-qr") == (
        f"{live_server.url}/p/items/{item.pk}/"
    )
    assert axe(page) == [], "print page"
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="打印").is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    if shots:
        (shots / "catalog-print.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 1
    page.emulate_media(media="screen")


def test_catalog_and_public_pages_work_on_a_phone(
    page, live_server, yiyuan_committed, make_account, item, axe, shots
):
    admin = make_account(Role.REGION_ADMIN, yiyuan_committed.county, password=PASSWORD)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/p/items/{item.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "城乡居民基本医疗保险参保登记"
    assert axe(page) == [], "public item page"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "no sideways scrolling on a phone"
    if shots:
        page.screenshot(path=str(shots / "portal-item-phone.png"), full_page=True)

    log_in(page, live_server, admin.username)
    for path, name in [
        ("/catalog/?q=医保&inactive=on", "catalog list"),
        (f"/catalog/{item.pk}/", "item"),
        (f"/catalog/{item.pk}/print/", "print"),
        (f"/catalog/{item.pk}/edit/", "edit"),
        ("/catalog/new/", "new"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert axe(page) == [], f"{name} page on a phone"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name} page scrolls sideways on a phone ({width} px)"
        if shots:
            page.screenshot(path=str(shots / f"catalog-{name}-phone.png"), full_page=True)


def test_form_errors_are_shown_next_to_the_fields(
    page, live_server, yiyuan_committed, make_account, item, axe
):
    admin = make_account(Role.REGION_ADMIN, yiyuan_committed.county, password=PASSWORD)
    log_in(page, live_server, admin.username)
    page.goto(f"{live_server.url}/catalog/{item.pk}/edit/")
    page.locator("#id_promised_limit").fill("99")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    assert page.locator("#id_promised_limit_error").inner_text() == (
        "承诺办结时限不能超过法定办结时限。"
    )
    assert axe(page) == [], "edit page with errors"

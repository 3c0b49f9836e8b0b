"""The fast registration form (登记) through real requests: an elderly villager by ID number, an
enterprise with an N-prefixed credit code, 代办 with its signed authorisation; bad input comes back
next to its field with nothing saved; the item search as you type."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bangban.cases.identifiers import credit_code_check_character
from bangban.cases.models import Applicant, Case, CaseEvent
from bangban.network.models import Role

from .conftest import resident_id

URL = reverse("cases:register")


def credit_code(body: str = "N2370323MA3C12345") -> str:
    """A valid credit code of a village collective economic organisation (N…)."""
    return body + credit_code_check_character(body)


def form_data(item, helper, **changes) -> dict:
    data = {
        "item": str(item.pk),
        "mode": "on_site",
        "applicant_kind": "person",
        "name": "张秀英",
        "document_type": "resident_id",
        "number": resident_id(born="19450312"),
        "phone": "13805331234",
        "kind": "assisted",
        "channel": "walk_in",
        "received_on": timezone.localdate().isoformat(),
        "responsible": str(helper.pk),
        "contact_phone": "",
    }
    data.update(changes)
    return data


def errors_of(response, field: str) -> str:
    """The text of the error list tied to `field` (by its id), or ''."""
    html = response.content.decode()
    found = re.search(rf'id="id_{field}_error">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def logged_in(client, helper):
    client.force_login(helper)
    return client


def test_the_form_offers_the_users_point_and_them_as_responsible(logged_in, helper, station):
    response = logged_in.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert station.name in html
    assert f'<option value="{helper.pk}" selected>' in html
    assert 'name="received_on"' in html and timezone.localdate().isoformat() in html
    assert "bangban/cases.js" in html


def test_registering_an_elderly_villager_by_id_number(logged_in, item, helper, station):
    number = resident_id(born="19450312")
    response = logged_in.post(URL, form_data(item, helper, number=number))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", args=[case.number]) + "?registered=1"
    assert case.elderly is True
    assert case.applicant.birth_date() == dt.date(1945, 3, 12)
    assert case.applicant.number_masked == number[:6] + "********" + number[-4:]
    assert case.registering_point == station and case.responsible == helper
    assert case.entered_by == helper and case.mode == "on_site"
    # The case page offers the receipt at once.
    page = logged_in.get(response["Location"])
    assert reverse("cases:receipt", args=[case.number]) in page.content.decode()
    assert "打印受理回执" in page.content.decode()


def test_a_typed_id_shows_birth_date_and_age_when_the_form_comes_back(logged_in, item, helper):
    response = logged_in.post(
        URL, form_data(item, helper, number=resident_id(born="19450312"), phone="12345")
    )
    html = response.content.decode()
    assert Case.objects.count() == 0
    assert "1945-03-12" in html and "老年人" in html


def test_an_enterprise_with_an_n_prefixed_credit_code(logged_in, item, helper):
    code = credit_code()
    data = form_data(
        item,
        helper,
        applicant_kind="organisation",
        name="鲁村镇某村股份经济合作社",
        number="",
        credit_code=code,
        legal_representative="王德明",
        contact_name="李华",
    )
    response = logged_in.post(URL, data)
    assert response.status_code == 302
    applicant = Case.objects.get().applicant
    assert applicant.kind == Applicant.Kind.ORGANISATION
    assert applicant.credit_code == code and applicant.legal_representative == "王德明"


def test_a_proxy_case_with_its_signed_authorisation(logged_in, item, helper):
    scan = SimpleUploadedFile("weituoshu.pdf", b"%PDF-1.4 signed", "application/pdf")
    data = form_data(
        item,
        helper,
        kind="proxy",
        principal="张秀英",
        auth_scope="代为办理城乡居民医保参保登记，代领结果",
        authorised_on=timezone.localdate().isoformat(),
        scan=scan,
        contact_phone="13905331111",
    )
    response = logged_in.post(URL, data)
    assert response.status_code == 302, errors_of(response, "scan")
    case = Case.objects.get()
    assert case.kind == Case.Kind.PROXY
    assert case.authorisation.principal == "张秀英"
    assert case.authorisation.scan.read() == b"%PDF-1.4 signed"
    assert case.decrypted_contact_phone() == "13905331111"
    assert case.contact_phone_masked == "139****1111"


def test_a_proxy_case_without_its_scan_is_refused_at_the_field(logged_in, item, helper):
    data = form_data(
        item,
        helper,
        kind="proxy",
        principal="张秀英",
        auth_scope="代为办理",
        authorised_on=timezone.localdate().isoformat(),
    )
    response = logged_in.post(URL, data)
    assert response.status_code == 200
    assert "请上传签字的委托书扫描件" in errors_of(response, "scan")
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": "370323194503121235"}, "number", "校验位不正确"),
        ({"phone": "1380533"}, "phone", "手机号码"),
        ({"item": "999999"}, "item", "事项不存在"),
        ({"mode": "home_visit"}, "mode", "不支持这种服务方式"),
        ({"received_on": "2999-01-01"}, "received_on", "不能晚于今天"),
    ],
)
def test_bad_input_comes_back_at_its_field_with_nothing_saved(
    logged_in, item, helper, changes, field, message
):
    data = form_data(item, helper)
    data.update(changes)
    if field == "number":
        # A number whose check character is wrong (one digit of the real one changed).
        good = resident_id(born="19450312")
        data["number"] = good[:17] + ("0" if good[17] != "0" else "1")
    response = logged_in.post(URL, data)
    assert response.status_code == 200
    assert message in errors_of(response, field)
    assert "没有保存" in response.content.decode()
    assert Case.objects.count() == 0 and Applicant.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_an_unqualified_responsible_helper_is_refused(
    logged_in, item, helper, make_helper, station
):
    untrained = make_helper(station, trained_on=None).user
    response = logged_in.post(URL, form_data(item, helper, responsible=str(untrained.pk)))
    assert response.status_code == 200
    assert "不具备上岗资格" in errors_of(response, "responsible")
    assert Case.objects.count() == 0


def test_a_returning_applicant_is_recognised_only_within_scope(
    client, item, helper, register, make_helper, yiyuan
):
    number = resident_id(born="19400101")
    from .conftest import person

    register(applicant=person(number=number, name="老名字"))
    # Someone at another town registers the same person: their form shows only what they typed.
    elsewhere = make_helper(yiyuan.station("南麻街道")).user
    client.force_login(elsewhere)
    response = client.post(
        URL, form_data(item, elsewhere, number=number, name="张秀英"), follow=True
    )
    html = response.content.decode()
    assert "以前办理过" not in html
    assert Applicant.objects.count() == 1  # one identity, found by its keyed hash
    # The first helper sees their earlier case and is told so.
    client.force_login(helper)
    response = client.post(URL, form_data(item, helper, number=number), follow=True)
    assert "以前办理过 1 件" in response.content.decode()


def test_someone_serving_nowhere_cannot_register(client, make_account, yiyuan):
    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    client.force_login(admin)
    response = client.get(URL)
    assert response.status_code == 403
    assert "不能登记办件" in response.content.decode()


def test_the_item_search_lists_active_items_of_the_county(logged_in, item, make_item):
    other = make_item(name="最低生活保障申请")
    response = logged_in.get(reverse("cases:item_search"), {"item_q": "医疗保险"})
    html = response.content.decode()
    assert f'value="{item.pk}"' in html and f'value="{other.pk}"' not in html
    assert 'type="radio" name="item"' in html
    nothing = logged_in.get(reverse("cases:item_search"), {"item_q": "不存在的事项"})
    assert "没有找到" in nothing.content.decode()


def test_an_inactive_item_is_not_found(logged_in, item, helper):
    from bangban.catalog import actions as catalog_actions

    catalog_actions.set_item_active(item, active=False, by=None)
    response = logged_in.get(reverse("cases:item_search"), {"item_q": "医疗保险"})
    assert f'value="{item.pk}"' not in response.content.decode()


def test_picking_an_item_offers_only_its_ways_of_serving_and_its_checklist(logged_in, item):
    response = logged_in.get(reverse("cases:item_search"), {"item": item.pk})
    html = response.content.decode()
    for mode in ("on_site", "online", "mobile"):
        assert f'value="{mode}"' in html
    for mode in ("home_visit", "appointment", "self_service"):
        assert f'value="{mode}"' not in html
    assert "城乡居民基本医疗保险参保登记表" in html


def test_searching_without_javascript_keeps_what_was_typed(logged_in, item, helper):
    data = form_data(item, helper, item_q="参保", find_item="1", name="张秀英")
    response = logged_in.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 0
    assert f'id="item-{item.pk}"' in html and "checked" in html
    assert 'value="张秀英"' in html
    assert 'value="home_visit"' not in html  # the picked item's ways of serving only


def test_a_case_received_before_its_window_closed_is_registered_deemed_accepted(
    logged_in, helper, make_item
):
    import time_machine

    item = make_item(promised_limit=10, legal_limit=20)
    cst = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=cst), tick=False):
        response = logged_in.post(URL, form_data(item, helper, received_on="2026-11-02"))
        assert response.status_code == 302
        case = Case.objects.get()
        page = logged_in.get(response["Location"]).content.decode()
    assert case.accepted_on == dt.date(2026, 11, 2) and case.acceptance_deemed
    assert case.promised_deadline == dt.date(2026, 11, 16)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", "by")) == [
        ("register", helper.pk),
        ("deem_accepted", None),
    ]
    assert "视为受理" in page and "红牌" in page

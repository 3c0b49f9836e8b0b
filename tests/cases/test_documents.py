"""The printed documents of a case — receipt, one-time notice, refusal — as print pages and as .docx
files parsed back with python-docx; built through the real actions, reached through the view scope."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from bangban.cases import actions, documents
from bangban.cases.actions import NoticeItem
from bangban.cases.identifiers import mask_id
from bangban.network.models import Role
from bangban.staff.models import Helper
from tests.pages import page_text

from .conftest import person, resident_id

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
PHONE = "13805331234"
WORK_PHONE = "0533-3221234"


def at(day: dt.date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, tzinfo=CST), tick=False
    )


@pytest.fixture
def number():
    """The applicant's full ID number (a 370323 number of 1945)."""
    return resident_id()


@pytest.fixture
def case(register, helper, number):
    Helper.objects.filter(user=helper).update(work_phone=WORK_PHONE)
    return register(applicant=person(number=number, phone=PHONE))


@pytest.fixture
def client_in_scope(client, helper):
    client.force_login(helper)
    return client


@pytest.fixture
def outsider(make_account, yiyuan):
    """A helper of another village's station: sees nothing of the case."""
    return make_account(Role.HELPER, yiyuan.station("鲁村镇", 1), username="documents-outsider")


def _lines(case):
    return list(case.materials.select_related("material").order_by("position"))


def _notice(case, helper, **kwargs):
    first, second, _third = _lines(case)
    return actions.issue_notice(
        case,
        items=[
            NoticeItem(first.pk, "missing", "原件未带"),
            NoticeItem(second.pk, "wrong", "未签字"),
        ],
        supply_by=case.received_on + dt.timedelta(days=10),
        by=helper,
        **kwargs,
    )


def _accept(case, helper):
    statuses = {line.material_id: "received" for line in case.materials.all()}
    actions.set_material_status(case, statuses=statuses, by=helper)
    return actions.accept_case(case, by=helper)


DOCUMENT_NUMBER = "沂医保不受字〔2026〕3号"


def _refuse(case, helper, **changes):
    return actions.refuse_case(
        case,
        by=helper,
        reason="申请事项不属于本服务点受理范围",
        legal_basis="《中华人民共和国行政许可法》第三十二条",
        document_number=DOCUMENT_NUMBER,
        **changes,
    )


def _page(client, name, *args) -> str:
    return unescape(page_text(client.get(reverse(f"cases:{name}", args=args))))


def _docx(client, name, *args):
    """(text of every paragraph and table cell, raw XML of every part, the response)."""
    response = client.get(reverse(f"cases:{name}", args=args))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        raw = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return "\n".join(texts), raw, document, response


def _public_url(case) -> str:
    return "http://testserver" + reverse("portal:case", args=[case.public_token])


# --- The receipt ---------------------------------------------------------------------------------


def test_the_receipt_page_shows_the_case_with_the_applicant_masked(client_in_scope, case, number):
    page = _page(client_in_scope, "receipt", case.number)
    assert "登记回执" in page and case.number in page
    assert case.applicant.name in page and mask_id(number) in page
    assert "138****1234" in page
    assert number not in page and PHONE not in page
    assert case.revision.name in page and case.item.implementation_code in page
    assert "帮办" in page and "现场办" in page
    assert "自受理之日起计算" in page  # not yet accepted: the limit counts from acceptance
    assert WORK_PHONE in page  # the first responsible helper's work phone
    assert "帮办代办服务免费" in page
    assert "data-print" in page and "print.css" in page
    for line in _lines(case):
        assert line.material.name in page


def test_the_receipt_qr_code_carries_the_public_token_url_and_nothing_else(
    client_in_scope, case, number
):
    page = _page(client_in_scope, "receipt", case.number)
    url = _public_url(case)
    assert f'data-qr="{url}"' in page
    assert case.public_token in url
    for personal in (number, PHONE, case.applicant.name, case.number):
        assert personal not in url
    assert "扫码查询办理进度" in page


def test_an_accepted_case_has_an_acceptance_receipt_with_its_deadlines(
    client_in_scope, case, helper
):
    case = _accept(case, helper)
    page = _page(client_in_scope, "receipt", case.number)
    assert "受理回执" in page
    assert documents.day_text(case.promised_deadline) in page
    assert documents.day_text(case.legal_deadline) in page
    assert "自受理之日起计算" not in page


def test_a_deadline_in_a_year_not_yet_published_is_printed_as_provisional(
    client, register, make_item, helper
):
    item = make_item(promised_limit=15, legal_limit=20)
    with at(D(2026, 12, 28)):
        case = _accept(register(item=item, received_on=D(2026, 12, 28)), helper)
        assert case.promised_provisional
        client.force_login(helper)
        page = _page(client, "receipt", case.number)
        text, _raw, _document, _response = _docx(client, "receipt_docx", case.number)
    expected = documents.day_text(case.promised_deadline) + "（暂定）"
    assert expected in page and expected in text


def test_the_receipt_docx_says_what_the_page_says(client_in_scope, case, helper, number):
    case = _accept(case, helper)
    text, raw, document, response = _docx(client_in_scope, "receipt_docx", case.number)
    assert "受理回执" in text and case.number in text
    assert documents.day_text(case.promised_deadline) in text
    for line in _lines(case):
        assert line.material.name in text
    assert mask_id(number) in text and "138****1234" in text
    assert number not in raw and PHONE not in raw
    assert WORK_PHONE in text and "帮办代办服务免费" in text
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="receipt-{case.number}.docx"' in disposition
    assert "filename*=UTF-8''%E5%8F%97%E7%90%86%E5%9B%9E%E6%89%A7-" in disposition  # 受理回执-
    assert disposition.endswith(f"{case.number}.docx")


def test_the_receipt_docx_holds_the_qr_codes_of_the_public_and_rating_urls_as_pictures(
    client_in_scope, case
):
    text, _raw, document, _response = _docx(client_in_scope, "receipt_docx", case.number)
    assert len(document.inline_shapes) == 2
    images = {
        part.blob for part in document.part.related_parts.values() if "image" in part.content_type
    }
    rating = "http://testserver" + documents.rating_path(case)
    assert images == {documents.qr_png(_public_url(case)), documents.qr_png(rating)}
    assert "扫码查询办理进度" in text and "扫码评价" in text


def test_the_docx_sets_a4_and_east_asian_fonts(client_in_scope, case):
    _text, raw, document, _response = _docx(client_in_scope, "receipt_docx", case.number)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert 'w:eastAsia="仿宋"' in raw and 'w:eastAsia="黑体"' in raw
    title = document.paragraphs[0]
    assert title.text == "登记回执" and title.alignment == 1  # centred
    assert all(run.bold for run in title.runs)


# --- The one-time notice -------------------------------------------------------------------------


def test_the_notice_page_lists_every_material_with_its_reason(
    client_in_scope, case, helper, number
):
    notice = _notice(case, helper)
    page = _page(client_in_scope, "notice", case.number, notice.number)
    assert "一次性告知书" in page and notice.number in page and case.number in page
    assert "居民身份证或户口簿" in page and "缺少" in page and "原件未带" in page
    assert "城乡居民基本医疗保险参保登记表" in page and "不符合要求" in page and "未签字" in page
    assert "特殊人群身份证明" not in page  # not asked for
    assert documents.day_text(notice.supply_by) in page
    assert "一次性告知" in page and "不再要求补正其他材料" in page
    assert "申请人（签收）" in page and "帮办代办员" in page
    assert mask_id(number) in page and number not in page and PHONE not in page
    assert "重复告知" not in page
    assert case.registering_point.name in page


def test_the_notice_docx_lists_every_material_and_the_date(client_in_scope, case, helper, number):
    notice = _notice(case, helper)
    text, raw, _document, response = _docx(
        client_in_scope, "notice_docx", case.number, notice.number
    )
    assert "一次性告知书" in text and notice.number in text and case.number in text
    for name in ("居民身份证或户口簿", "城乡居民基本医疗保险参保登记表", "原件未带", "未签字"):
        assert name in text
    assert documents.day_text(notice.supply_by) in text
    assert "申请人（签收）" in text
    assert mask_id(number) in text and number not in raw and PHONE not in raw
    assert f'filename="notice-{notice.number}.docx"' in response["Content-Disposition"]


def test_a_repeated_notice_says_so_with_its_reason(client_in_scope, case, helper):
    _notice(case, helper)
    second = _notice(case, helper, repeat_reason="申请人补交的登记表填写有误")
    page = _page(client_in_scope, "notice", case.number, second.number)
    assert "重复告知" in page and "申请人补交的登记表填写有误" in page
    text, *_rest = _docx(client_in_scope, "notice_docx", case.number, second.number)
    assert "重复告知" in text and "申请人补交的登记表填写有误" in text


def test_a_notice_of_another_case_is_not_found_under_this_one(
    client_in_scope, case, register, helper
):
    other = register()
    notice = _notice(other, helper)
    response = client_in_scope.get(reverse("cases:notice", args=[case.number, notice.number]))
    assert response.status_code == 404


# --- The refusal ---------------------------------------------------------------------------------


def test_the_refusal_page_gives_the_reason_the_basis_and_the_remedies(
    client_in_scope, case, helper, number
):
    case = _refuse(case, helper)
    page = _page(client_in_scope, "refusal", case.number)
    assert "不予受理通知书" in page and case.number in page
    assert "申请事项不属于本服务点受理范围" in page
    assert "《中华人民共和国行政许可法》第三十二条" in page
    assert "六十日内" in page and "行政复议" in page
    assert "六个月内" in page and "行政诉讼" in page
    event = case.events.get(action="refuse")
    assert event.data["refusal"] in page
    assert documents.day_text(D.fromisoformat(event.data["refused_on"])) in page
    assert mask_id(number) in page and number not in page and PHONE not in page
    assert case.handling_point.name in page


def test_the_refusal_is_the_departments_decision_handled_by_the_helper(
    client_in_scope, case, helper, yiyuan
):
    """The department that decided is named as the decider, with its document number; the helper
    who recorded it appears as the one who handled it (经办人)."""
    department = yiyuan.department("县人力资源和社会保障局")
    case = _refuse(case, helper, department=department)
    page = _page(client_in_scope, "refusal", case.number)
    assert f"经{department.name}审查" in page
    assert "作出决定的部门" in page and f"{department.name}（盖章）" in page
    assert "决定文号" in page and DOCUMENT_NUMBER in page
    assert "经办人" in page and helper.get_full_name() in page and WORK_PHONE in page


def test_the_refusal_docx_says_what_the_page_says(client_in_scope, case, helper, number):
    case = _refuse(case, helper)
    text, raw, _document, _response = _docx(client_in_scope, "refusal_docx", case.number)
    assert "不予受理通知书" in text and case.number in text
    assert "申请事项不属于本服务点受理范围" in text and "行政复议" in text
    assert mask_id(number) in text and number not in raw and PHONE not in raw
    department = case.revision.department.name
    assert f"经{department}审查" in text and DOCUMENT_NUMBER in text
    assert f"{department}（盖章）" in text and "经办人" in text


@pytest.mark.parametrize("name", ["refusal", "refusal_docx"])
def test_a_case_not_refused_has_no_refusal(client_in_scope, case, helper, name):
    _accept(case, helper)
    response = client_in_scope.get(reverse(f"cases:{name}", args=[case.number]))
    assert response.status_code == 404


# --- Scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["receipt", "receipt_docx", "notice", "notice_docx", "refusal", "refusal_docx"]
)
def test_every_document_is_not_found_out_of_scope(client, case, helper, outsider, name):
    notice = _notice(case, helper)
    _refuse(case, helper)
    args = [case.number, notice.number] if name.startswith("notice") else [case.number]
    url = reverse(f"cases:{name}", args=args)
    client.force_login(helper)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_town_admin_above_the_station_may_print(client, case, make_account, yiyuan):
    admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="documents-town")
    client.force_login(admin)
    assert client.get(reverse("cases:receipt", args=[case.number])).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client, case):
    response = client.get(reverse("cases:receipt_docx", args=[case.number]))
    assert response.status_code == 302 and "login" in response["Location"]

"""The case forms as a new user meets them (issue 11, item 6): the registration form says every
problem at once, listed at the top with links, and keeps a chosen authorisation scan across a failed
submit; the scan is shown to those entitled, logged, and to nobody else; "登记新办件" is offered to
those who may register only; the actions that end a case ask to be confirmed; the transfer's
receiver must serve at the chosen point."""

from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bangban.cases import action_views, uploads
from bangban.cases.actions import AuthorisationData
from bangban.cases.models import Case, IdentityView, Transfer
from bangban.cases.workflow import State
from bangban.network.models import Role

from .test_registration_pages import URL, errors_of, form_data

PDF = b"%PDF-1.4 signed by the applicant"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def logged_in(client, helper):
    client.force_login(helper)
    return client


def proxy_data(item, helper, **changes) -> dict:
    return form_data(
        item,
        helper,
        kind="proxy",
        principal="张秀英",
        auth_scope="代为办理城乡居民医保参保登记，代领结果",
        authorised_on=timezone.localdate().isoformat(),
        **changes,
    )


def scan_file(name: str = "weituoshu.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


def kept_token(response) -> str:
    found = re.search(r'name="scan_kept" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else ""


def pending_files() -> list[str]:
    try:
        return default_storage.listdir(uploads.PENDING_DIR)[1]
    except FileNotFoundError:
        return []


# --- All the errors at once, listed at the top -----------------------------------------------------


def test_the_forms_own_errors_and_the_actions_come_together(logged_in, item, helper):
    """A bad date (the form's check) and a short phone, no name, no item (the action's checks):
    one submit says all four, and the 代办 form's own fields with them."""
    data = proxy_data(item, helper, name="", phone="1380533", received_on="2026-13-40")
    data.update(item="", principal="", authorised_on="yesterday")
    response = logged_in.post(URL, data)
    assert response.status_code == 200 and Case.objects.count() == 0
    assert errors_of(response, "received_on")
    assert "请填写申请人姓名或名称" in errors_of(response, "name")
    assert "手机号码" in errors_of(response, "phone")
    assert "事项不存在" in errors_of(response, "item")
    assert "请填写委托人" in errors_of(response, "principal")
    assert errors_of(response, "authorised_on")
    assert "请上传签字的委托书扫描件" in errors_of(response, "scan")


def test_a_field_keeps_the_forms_own_message_only(logged_in, item, helper):
    response = logged_in.post(URL, form_data(item, helper, received_on="not a date"))
    assert errors_of(response, "received_on").count("<li>") == 1


def test_the_summary_lists_each_error_as_a_link_to_its_field_and_takes_the_focus(
    logged_in, item, helper
):
    response = logged_in.post(
        URL, {**form_data(item, helper, name="", phone="1380533"), "item": ""}
    )
    html = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger error-summary"(.*?)</div>', html, re.S)
    assert summary is not None
    assert 'tabindex="-1" autofocus' in summary.group(1)
    assert "（3 处）" in summary.group(1)
    links = re.findall(r'<a href="#([^"]+)"', summary.group(1))
    assert links == ["id_item_q", "id_name", "id_phone"]
    for anchor in links:
        assert f'id="{anchor}"' in html
    # The item's error is tied to the search box that chooses it.
    box = re.search(r'<input type="search" name="item_q"[^>]*>', html, re.S).group(0)
    assert 'aria-invalid="true"' in box and "id_item_error" in box
    assert 'id="id_item_error"' in html


def test_a_search_without_javascript_shows_no_errors(logged_in, item, helper):
    data = form_data(item, helper, name="", find_item="1", item_q="医保")
    html = logged_in.post(URL, data).content.decode()
    assert "error-summary" not in html and "请填写申请人姓名" not in html
    assert 'value="张秀英"' not in html  # nothing typed was lost either: the name was empty
    assert Case.objects.count() == 0


def test_enter_in_a_text_field_registers_the_forms_first_button_is_the_registration(
    logged_in,
):
    html = logged_in.get(URL).content.decode()
    form = html[html.index("data-register-form") :]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'type="submit"' in first and "name=" not in first  # not 搜索事项 (name=find_item)


# --- The authorisation scan kept across a failed submit ----------------------------------------------


def test_a_chosen_scan_is_kept_and_offered_again_then_used(logged_in, item, helper):
    response = logged_in.post(
        URL, proxy_data(item, helper, phone="1380533", scan=scan_file("委托书 张秀英.pdf"))
    )
    assert response.status_code == 200 and Case.objects.count() == 0
    html = response.content.decode()
    assert "已选择：委托书 张秀英.pdf（保留）" in html
    assert 'aria-describedby="id_scan_kept ' in html
    token = kept_token(response)
    assert token and len(pending_files()) == 1
    assert not errors_of(response, "scan")

    # Another mistake: still kept (the same file, not a second copy).
    again = logged_in.post(URL, proxy_data(item, helper, phone="1380533", scan_kept=token))
    assert "已选择：委托书 张秀英.pdf（保留）" in again.content.decode()
    assert len(pending_files()) == 1

    done = logged_in.post(URL, proxy_data(item, helper, scan_kept=kept_token(again)))
    assert done.status_code == 302
    case = Case.objects.get()
    assert case.authorisation.scan.read() == PDF
    assert case.authorisation.scan.name.endswith(".pdf")
    assert pending_files() == []


def test_a_new_file_replaces_the_kept_one_and_a_wrong_one_is_said(logged_in, item, helper):
    first = logged_in.post(URL, proxy_data(item, helper, phone="1", scan=scan_file("a.pdf")))
    token = kept_token(first)
    wrong = SimpleUploadedFile("a.exe", b"MZ", "application/octet-stream")
    response = logged_in.post(URL, proxy_data(item, helper, scan_kept=token, scan=wrong))
    assert "PDF、JPG 或 PNG" in errors_of(response, "scan")
    assert "（保留）" not in response.content.decode() and pending_files() == []
    assert Case.objects.count() == 0


def test_a_kept_scan_is_the_users_own(client, item, helper, make_helper, station):
    client.force_login(helper)
    token = kept_token(client.post(URL, proxy_data(item, helper, phone="1", scan=scan_file())))
    other = make_helper(station).user
    client.force_login(other)
    response = client.post(URL, proxy_data(item, other, scan_kept=token))
    assert "请上传签字的委托书扫描件" in errors_of(response, "scan")
    forged = client.post(URL, proxy_data(item, other, scan_kept=token[:-2] + "xx"))
    assert "请上传签字的委托书扫描件" in errors_of(forged, "scan")
    assert Case.objects.count() == 0


def test_an_assisted_case_keeps_no_scan(logged_in, item, helper):
    logged_in.post(URL, form_data(item, helper, phone="1", scan=scan_file()))
    assert pending_files() == []


def test_old_kept_scans_are_swept(logged_in, item, helper):
    logged_in.post(URL, proxy_data(item, helper, phone="1", scan=scan_file()))
    (name,) = pending_files()
    assert uploads.sweep() == 0
    old = time.time() - uploads.KEEP_SECONDS - 60
    os.utime(default_storage.path(f"{uploads.PENDING_DIR}/{name}"), (old, old))
    assert uploads.sweep() == 1 and pending_files() == []


# --- Viewing the scan: those entitled, logged; 403 or 404 for the rest --------------------------------


@pytest.fixture
def proxy_case(register, helper):
    authorisation = AuthorisationData(
        principal="张秀英",
        scope="代为办理",
        authorised_on=timezone.localdate(),
        scan=SimpleUploadedFile("scan.PNG", b"\x89PNG\r\n\x1a\n....", "image/png"),
    )
    return register(kind="proxy", authorisation=authorisation)


def _account(who, *, helper, make_account, make_helper, yiyuan, station):
    return {
        "responsible": lambda: helper,
        "lead": lambda: make_account(Role.POINT_LEAD, station, username="s-lead"),
        "town_admin": lambda: make_account(
            Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="s-town"
        ),
        "county_admin": lambda: make_account(Role.REGION_ADMIN, yiyuan.county, username="s-cty"),
        "supervisor": lambda: make_account(Role.SUPERVISOR, yiyuan.county, username="s-sup"),
        "colleague": lambda: make_helper(station).user,
        "elsewhere": lambda: make_helper(yiyuan.station("鲁村镇", 1)).user,
        "other_town_admin": lambda: make_account(
            Role.TOWN_ADMIN, yiyuan.town("南麻街道"), username="s-far"
        ),
    }[who]()


def scan_url(case) -> str:
    return reverse("cases:authorisation_scan", args=[case.number])


@pytest.mark.parametrize("who", ["responsible", "lead", "town_admin", "county_admin"])
def test_entitled_roles_see_the_scan_inline_and_each_showing_is_logged(
    client, proxy_case, who, helper, make_account, make_helper, yiyuan, station
):
    user = _account(
        who,
        helper=helper,
        make_account=make_account,
        make_helper=make_helper,
        yiyuan=yiyuan,
        station=station,
    )
    client.force_login(user)
    page = client.get(reverse("cases:case", args=[proxy_case.number])).content.decode()
    assert scan_url(proxy_case) in page and "查看扫描件" in page
    response = client.get(scan_url(proxy_case))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\n...."
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    view = IdentityView.objects.get()
    assert (view.case, view.viewer, view.what) == (proxy_case, user, IdentityView.What.SCAN)
    assert view.address == "127.0.0.1"


@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 403), ("colleague", 403), ("elsewhere", 404), ("other_town_admin", 404)],
)
def test_others_get_403_or_404_for_the_scan_and_nothing_is_logged(
    client, proxy_case, who, status, helper, make_account, make_helper, yiyuan, station
):
    user = _account(
        who,
        helper=helper,
        make_account=make_account,
        make_helper=make_helper,
        yiyuan=yiyuan,
        station=station,
    )
    client.force_login(user)
    if status == 403:
        page = client.get(reverse("cases:case", args=[proxy_case.number])).content.decode()
        assert scan_url(proxy_case) not in page and "已上传" in page
    response = client.get(scan_url(proxy_case))
    assert response.status_code == status
    assert b"PNG" not in response.content
    assert not IdentityView.objects.exists()


def test_a_case_without_a_scan_has_none_to_show(client, register, helper):
    case = register()
    client.force_login(helper)
    assert client.get(scan_url(case)).status_code == 404
    assert client.post(scan_url(case)).status_code == 405
    assert not IdentityView.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, proxy_case):
    response = client.get(scan_url(proxy_case))
    assert response.status_code == 302 and "login" in response["Location"]


# --- "登记新办件" for those who may register only ---------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("responsible", True),
        ("lead", True),
        ("town_admin", False),
        ("county_admin", False),
        ("supervisor", False),
    ],
)
def test_the_register_link_is_shown_to_those_the_form_lets_register(
    client, who, may, helper, make_account, make_helper, yiyuan, station
):
    user = _account(
        who,
        helper=helper,
        make_account=make_account,
        make_helper=make_helper,
        yiyuan=yiyuan,
        station=station,
    )
    client.force_login(user)
    assert action_views.may_register(user) is may
    ledger = client.get(reverse("cases:ledger")).content.decode()
    assert ("登记新办件" in ledger) is may
    assert (f'href="{URL}"' in ledger) is may
    assert client.get(URL).status_code == (200 if may else 403)


# --- Confirming the actions that end a case ---------------------------------------------------------


def act_url(case, action: str) -> str:
    return reverse("cases:act", args=[case.number, action])


def test_withdrawing_asks_first_and_does_nothing_until_confirmed(logged_in, register):
    case = register()
    response = logged_in.post(act_url(case, "withdraw"), {"reason": "申请人不再办理"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "确认撤回办件" in html and "不能恢复" in html
    assert 'name="confirmed" value="1"' in html
    assert '<input type="hidden" name="reason" value="申请人不再办理"' in html
    assert f'href="{reverse("cases:case", args=[case.number])}"' in html  # 取消
    case.refresh_from_db()
    assert case.status == State.REGISTERED
    assert list(case.events.values_list("action", flat=True)) == ["register"]

    done = logged_in.post(act_url(case, "withdraw"), {"reason": "申请人不再办理", "confirmed": "1"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == State.WITHDRAWN


def test_a_refusal_with_errors_says_them_before_asking(logged_in, register):
    case = register()
    response = logged_in.post(act_url(case, "refuse"), {"reason": "不属于本县"})
    html = response.content.decode()
    assert "请填写不予受理决定的文号" in html and "确认不予受理" not in html
    assert 'class="alert alert-danger error-summary"' in html and "autofocus" in html
    assert 'href="#id_document_number"' in html
    response = logged_in.post(
        act_url(case, "refuse"), {"reason": "不属于本县", "document_number": "沂医保〔2026〕9号"}
    )
    assert "确认不予受理" in response.content.decode()
    case.refresh_from_db()
    assert case.status == State.REGISTERED and case.refusal_document_number == ""


def test_completing_asks_first(logged_in, register, helper):
    from bangban.cases import actions

    case = register()
    actions.set_material_status(
        case, statuses={line.material_id: "received" for line in case.materials.all()}, by=helper
    )
    actions.accept_case(case, by=helper)
    response = logged_in.post(act_url(case, "complete"), {"on": ""})
    assert "确认办结" in response.content.decode()
    case.refresh_from_db()
    assert case.status == State.IN_PROGRESS
    today = timezone.localdate().isoformat()
    assert (
        logged_in.post(act_url(case, "complete"), {"on": today, "confirmed": "1"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == State.COMPLETED


def test_the_ending_buttons_are_plain_danger_buttons(logged_in, register):
    case = register()
    html = logged_in.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "btn-outline-danger" not in html
    for label in ("不予受理", "撤回"):
        assert re.search(rf'<button type="submit" class="btn btn-danger">{label}</button>', html)


# --- The transfer's receiver belongs to the chosen point ------------------------------------------------


def test_the_receivers_are_grouped_by_point_and_one_elsewhere_is_refused(
    logged_in, register, yiyuan, make_helper
):
    case = register()
    subzone = yiyuan.subzone("medical_insurance")
    receiver = make_helper(subzone).user
    town = yiyuan.town("鲁村镇")
    town_helper = make_helper(town).user
    html = logged_in.get(act_url(case, "transfer")).content.decode()
    assert f'<optgroup label="{subzone.name}" data-point="{subzone.pk}">' in html
    assert f'<optgroup label="{town.name}" data-point="{town.pk}">' in html
    response = logged_in.post(
        act_url(case, "transfer"),
        {"to_point": subzone.pk, "to_helper": town_helper.pk, "reason": "需县医保分区办理"},
    )
    assert response.status_code == 200
    assert "指定的接收人不在该服务点服务" in response.content.decode()
    assert not Transfer.objects.exists()
    ok = logged_in.post(
        act_url(case, "transfer"),
        {"to_point": subzone.pk, "to_helper": receiver.pk, "reason": "需县医保分区办理"},
    )
    assert ok.status_code == 302
    assert Transfer.objects.get().to_helper == receiver


def test_a_registration_received_long_ago_is_still_told_at_once(logged_in, item, helper):
    """Rounds again: an early receipt day and a missing name come back together."""
    long_ago = (timezone.localdate() - dt.timedelta(days=365 * 30)).isoformat()
    response = logged_in.post(URL, form_data(item, helper, received_on=long_ago, name=""))
    assert "不能早于 2000 年" in errors_of(response, "received_on")
    assert "请填写申请人姓名" in errors_of(response, "name")

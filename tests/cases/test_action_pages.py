"""The actions on a case through their forms, and the transfers inbox: every action once, a refused
one changing nothing, the second answer to a transfer told so, and scope (404 elsewhere)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.models import Case, CaseEvent, CaseMaterial, Notice, Transfer
from bangban.cases.workflow import State
from bangban.catalog.actions import MaterialData

from .test_concurrency import file_database, offered  # noqa: F401 - fixtures

CST = dt.timezone(dt.timedelta(hours=8))


def act_url(case, action: str) -> str:
    return reverse("cases:act", args=[case.number, action])


def statuses(case, status: str = "received") -> dict:
    return {f"status_{line.material_id}": status for line in case.materials.all()}


@pytest.fixture
def logged_in(client, helper):
    client.force_login(helper)
    return client


@pytest.fixture
def subzone(yiyuan):
    return yiyuan.subzone("medical_insurance")


@pytest.fixture
def receiver(make_helper, subzone):
    return make_helper(subzone).user


@pytest.fixture
def accepted(register, helper):
    """A case with its materials in, accepted today."""
    case = register()
    actions.set_material_status(
        case, statuses={line.material_id: "received" for line in case.materials.all()}, by=helper
    )
    return actions.accept_case(case, by=helper)


def events(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))


# --- The panel on the case page ------------------------------------------------------------------


def test_the_case_page_offers_only_what_the_state_allows(logged_in, register):
    case = register()
    html = logged_in.get(reverse("cases:case", args=[case.number])).content.decode()
    for action in ("notice", "materials_received", "accept", "refuse", "transfer", "withdraw"):
        assert act_url(case, action) in html
    for action in ("suspend", "resume", "extend", "complete"):
        assert act_url(case, action) not in html


def test_a_supervisor_sees_the_case_but_no_actions(client, register, make_account, yiyuan):
    from bangban.network.models import Role

    case = register()
    supervisor = make_account(Role.SUPERVISOR, yiyuan.county)
    client.force_login(supervisor)
    html = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "您当前不能对该办件进行操作" in html
    assert act_url(case, "accept") not in html


def test_every_action_has_a_page_of_its_own(logged_in, register):
    case = register()
    response = logged_in.get(act_url(case, "notice"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "一次性告知" in html and 'name="supply_by"' in html
    assert "城乡居民基本医疗保险参保登记表" in html


def test_an_action_not_allowed_now_says_so_on_its_page(logged_in, register):
    case = register()
    html = logged_in.get(act_url(case, "resume")).content.decode()
    assert "您现在不能恢复" in html and 'name="on"' not in html


def test_an_unknown_action_is_404(logged_in, register):
    case = register()
    assert logged_in.get(act_url(case, "deem_accepted")).status_code == 404
    assert logged_in.post(act_url(case, "accept_transfer")).status_code == 404


# --- Each action through its form ---------------------------------------------------------------


def test_materials_received_then_accept(logged_in, register):
    case = register()
    response = logged_in.post(act_url(case, "materials_received"), statuses(case))
    assert response.status_code == 302
    assert set(case.materials.values_list("status", flat=True)) == {"received"}
    response = logged_in.post(act_url(case, "accept"), {"on": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == State.IN_PROGRESS and case.accepted_on == timezone.localdate()
    assert case.promised_deadline is not None
    assert events(case) == ["register", "materials_received", "accept"]


def test_accepting_with_materials_missing_names_them_and_changes_nothing(logged_in, register):
    case = register()
    response = logged_in.post(act_url(case, "accept"), {"on": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有办理" in html and "尚未收齐" in html and "居民身份证或户口簿" in html
    case.refresh_from_db()
    assert case.status == State.REGISTERED and events(case) == ["register"]


def test_a_one_time_notice_and_a_repeated_one(logged_in, register):
    case = register()
    lines = list(case.materials.order_by("position"))
    supply_by = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    data = {
        f"line_{lines[0].pk}": "on",
        f"reason_{lines[0].pk}": "missing",
        f"line_{lines[1].pk}": "on",
        f"reason_{lines[1].pk}": "wrong",
        f"note_{lines[1].pk}": "缺少签字",
        "supply_by": supply_by,
    }
    response = logged_in.post(act_url(case, "notice"), data)
    assert response.status_code == 302
    notice = Notice.objects.get(case=case)
    assert [(line.line_id, line.reason) for line in notice.lines.all()] == [
        (lines[0].pk, "missing"),
        (lines[1].pk, "wrong"),
    ]
    case.refresh_from_db()
    assert case.status == State.AWAITING_MATERIALS
    # A second notice needs a reason, asked for on the form.
    page = logged_in.get(act_url(case, "notice")).content.decode()
    assert 'name="repeat_reason"' in page
    refused = logged_in.post(act_url(case, "notice"), data)
    assert refused.status_code == 200
    assert "再次告知须写明原因" in refused.content.decode()
    assert Notice.objects.filter(case=case).count() == 1
    again = logged_in.post(
        act_url(case, "notice"), {**data, "repeat_reason": "申请人补交的表格仍有误"}
    )
    assert again.status_code == 302, again.content.decode()[-3000:]
    assert Notice.objects.filter(case=case, repeated=True).count() == 1


def test_a_notice_needs_a_material_and_a_date(logged_in, register):
    case = register()
    response = logged_in.post(act_url(case, "notice"), {"supply_by": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写补正期限" in html
    assert Notice.objects.count() == 0


def test_refuse_with_reason_and_basis(logged_in, register):
    case = register()
    response = logged_in.post(
        act_url(case, "refuse"),
        {
            "reason": "申请事项不属于本县受理范围",
            "legal_basis": "《行政许可法》第三十二条",
            "document_number": "沂医保不受字〔2026〕3号",
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == State.REFUSED
    assert CaseEvent.objects.get(case=case, action="refuse").data["legal_basis"].startswith("《")
    # the item's department decided, by default
    assert case.refusal_department == case.revision.department
    assert case.refusal_document_number == "沂医保不受字〔2026〕3号"


def test_the_refusal_form_offers_the_countys_departments_the_items_first(
    logged_in, register, yiyuan
):
    case = register()
    html = logged_in.get(act_url(case, "refuse")).content.decode()
    assert "作出决定的部门" in html and "决定文号" in html
    assert f'<option value="{case.revision.department_id}" selected>' in html
    other = yiyuan.department("县人力资源和社会保障局")
    assert f'<option value="{other.pk}">' in html
    response = logged_in.post(
        act_url(case, "refuse"),
        {
            "reason": "属于社保业务",
            "document_number": "沂人社不受〔2026〕1号",
            "department": other.pk,
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.refusal_department == other


def test_refusing_without_a_reason_or_a_document_number_is_refused(logged_in, register):
    case = register()
    response = logged_in.post(act_url(case, "refuse"), {"reason": ""})
    html = response.content.decode()
    assert "请写明不予受理的理由" in html and "请填写不予受理决定的文号" in html
    case.refresh_from_db()
    assert case.status == State.REGISTERED and case.refusal_department is None


def test_suspend_resume_extend_progress_complete(logged_in, accepted):
    case = accepted
    deadline = case.promised_deadline
    r = logged_in.post(act_url(case, "suspend"), {"reason": "等待鉴定结论", "on": ""})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == State.SUSPENDED
    assert logged_in.post(act_url(case, "resume"), {"on": ""}).status_code == 302
    r = logged_in.post(
        act_url(case, "extend"), {"working_days": "3", "reason": "需现场核查", "approver": "李主任"}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.promised_deadline > deadline
    r = logged_in.post(
        act_url(case, "progress"), {"text": "已报县医保局审核", "tell_applicant": "on"}
    )
    assert r.status_code == 302
    confirmed = {"on": "", "confirmed": "1"}
    assert logged_in.post(act_url(case, "complete"), confirmed).status_code == 302
    case.refresh_from_db()
    assert case.status == State.COMPLETED
    assert events(case)[-5:] == ["suspend", "resume", "extend", "progress", "complete"]


def test_extending_by_nonsense_is_refused_at_the_field(logged_in, accepted):
    r = logged_in.post(
        act_url(accepted, "extend"), {"working_days": "99", "reason": "", "approver": ""}
    )
    html = r.content.decode()
    assert "延长的工作日应为 1 到 60" in html and "请写明批准人" in html
    assert events(accepted)[-1] == "accept"


def test_withdraw(logged_in, register):
    case = register()
    assert (
        logged_in.post(
            act_url(case, "withdraw"), {"reason": "申请人不再办理", "confirmed": "1"}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == State.WITHDRAWN


def test_a_refused_transition_says_why_in_chinese_and_changes_nothing(logged_in, register):
    case = register()
    response = logged_in.post(act_url(case, "complete"), {"on": ""})
    assert response.status_code == 200
    assert "办件当前为“已登记”，不能办结" in response.content.decode()
    case.refresh_from_db()
    assert case.status == State.REGISTERED and events(case) == ["register"]


def test_a_bad_date_is_a_field_error(logged_in, accepted):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = logged_in.post(act_url(accepted, "suspend"), {"reason": "x", "on": future})
    assert "日期不能晚于今天" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == State.IN_PROGRESS


# --- Transfers ------------------------------------------------------------------------------------


def test_transfer_to_a_point_of_the_directory(logged_in, register, subzone, receiver):
    case = register()
    page = logged_in.get(act_url(case, "transfer")).content.decode()
    assert subzone.name in page
    found = logged_in.get(act_url(case, "transfer"), {"point_q": "医保"}).content.decode()
    assert f'value="{subzone.pk}"' in found
    response = logged_in.post(
        act_url(case, "transfer"),
        {"to_point": str(subzone.pk), "to_helper": str(receiver.pk), "reason": "需县医保分区办理"},
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get(case=case)
    assert transfer.to_point == subzone and transfer.to_helper == receiver
    # Only one pending transfer: the page no longer offers another.
    html = logged_in.get(reverse("cases:case", args=[case.number])).content.decode()
    assert act_url(case, "transfer") not in html


def test_the_transfer_form_offers_only_qualified_receivers(
    logged_in, register, subzone, receiver, make_helper
):
    untrained = make_helper(subzone, trained_on=None).user
    case = register()
    page = logged_in.get(act_url(case, "transfer"), {"point_q": "医保"}).content.decode()
    assert f'<option value="{receiver.pk}">' in page
    assert f'<option value="{untrained.pk}">' not in page
    response = logged_in.post(
        act_url(case, "transfer"),
        {"to_point": str(subzone.pk), "to_helper": str(untrained.pk), "reason": "需县医保分区办理"},
    )
    assert response.status_code == 200 and "没有办理" in response.content.decode()
    assert Transfer.objects.count() == 0


def test_a_transfer_without_a_point_is_refused(logged_in, register):
    case = register()
    response = logged_in.post(act_url(case, "transfer"), {"reason": "需县医保分区办理"})
    assert "接收服务点不存在" in response.content.decode()
    assert Transfer.objects.count() == 0


def test_the_inbox_accept(client, register, helper, subzone, receiver):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    client.force_login(receiver)
    inbox = client.get(reverse("cases:transfers")).content.decode()
    assert case.number in inbox and "需县医保分区办理" in inbox
    url = reverse("cases:transfer_answer", args=[transfer.pk, "accept"])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", args=[case.number])
    case.refresh_from_db()
    assert case.handling_point == subzone and case.responsible == helper
    # The second answer is told, in Chinese, and nothing changes.
    again = client.post(
        reverse("cases:transfer_answer", args=[transfer.pk, "decline"]),
        {"reason": "x"},
        follow=True,
    )
    assert "该转办已经答复过了" in again.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED
    assert "近期已答复" in again.content.decode()


def test_the_inbox_refuses_an_untrained_helper_as_the_handler(
    client, register, helper, subzone, make_helper
):
    untrained = make_helper(subzone, trained_on=None).user
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    client.force_login(untrained)
    url = reverse("cases:transfer_answer", args=[transfer.pk, "accept"])
    page = client.post(url, follow=True).content.decode()
    assert "承办人不具备上岗资格：尚未参加培训，须先培训后上岗。" in page
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.status == Transfer.Status.PENDING and case.handling_point != subzone


def test_an_administrator_accepts_in_the_inbox_naming_the_handler(
    client, register, helper, subzone, receiver, make_account, yiyuan
):
    from bangban.network.models import Role

    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    client.force_login(admin)
    inbox = client.get(reverse("cases:transfers")).content.decode()
    assert f'<option value="{receiver.pk}">' in inbox and "承办人" in inbox
    url = reverse("cases:transfer_answer", args=[transfer.pk, "accept"])
    unnamed = client.post(url, {"handling_helper": ""}, follow=True).content.decode()
    assert "请指定承办本办件的帮办代办员" in unnamed
    assert client.post(url, {"handling_helper": str(helper.pk)}, follow=True).status_code == 200
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PENDING  # the village helper is not the sub-zone's
    response = client.post(url, {"handling_helper": str(receiver.pk)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.handling_point == subzone and case.handling_helper == receiver


def test_the_inbox_decline_with_a_suggested_point(
    client, register, helper, subzone, receiver, yiyuan
):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    client.force_login(receiver)
    url = reverse("cases:transfer_answer", args=[transfer.pk, "decline"])
    empty = client.post(url, {"reason": ""}, follow=True)
    assert "请写明退回原因" in empty.content.decode()
    zone = yiyuan.zone
    response = client.post(
        url, {"reason": "应由县政务服务中心办理", "suggested_point": str(zone.pk)}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.DECLINED and transfer.suggested_point == zone
    case.refresh_from_db()
    assert case.handling_point == case.registering_point


def test_someone_elsewhere_gets_404(client, register, helper, subzone, make_helper, yiyuan):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    elsewhere = make_helper(yiyuan.station("南麻街道")).user
    client.force_login(elsewhere)
    assert client.get(act_url(case, "accept")).status_code == 404
    assert client.post(act_url(case, "withdraw"), {"reason": "x"}).status_code == 404
    answer = reverse("cases:transfer_answer", args=[transfer.pk, "accept"])
    assert client.post(answer).status_code == 404
    assert case.number not in client.get(reverse("cases:transfers")).content.decode()
    case.refresh_from_db()
    assert case.status == State.REGISTERED
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PENDING


def test_the_responsible_helper_may_still_note_progress_after_a_transfer(
    client, register, helper, subzone, receiver
):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    actions.accept_transfer(transfer, by=receiver)
    client.force_login(helper)
    html = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert act_url(case, "progress") in html and act_url(case, "accept") not in html
    assert client.post(act_url(case, "progress"), {"text": "已电话告知申请人"}).status_code == 302
    refused = client.post(act_url(case, "accept"), {"on": ""})
    assert "您不能对该办件受理" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == State.REGISTERED
    assert Case.objects.get(pk=case.pk).handling_point == subzone
    assert CaseMaterial.objects.filter(case=case, status="received").count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_at_once_one_is_told_in_chinese(offered, monkeypatch):  # noqa: F811
    """Through the pages, at the same moment (threads, a barrier before the write): one accepts,
    the other is sent back to the inbox with a clear message; nobody gets a 500."""
    from django.test import Client

    from .test_concurrency import collide, run_together

    transfer, receivers = offered
    clients = []
    for user in receivers:
        c = Client()
        c.force_login(user)
        clients.append(c)
    collide(monkeypatch, "accept_transfer", 2)
    url = reverse("cases:transfer_answer", args=[transfer.pk, "accept"])
    results = run_together(lambda c: c.post(url).status_code, [(c,) for c in clients])
    assert results == [302, 302], results
    pages = [c.get(reverse("cases:transfers")).content.decode() for c in clients]
    assert sum("该转办已经答复过了" in page for page in pages) == 1
    assert CaseEvent.objects.filter(case=transfer.case, action="accept_transfer").count() == 1


def test_the_day_materials_were_received_is_taken_and_acceptance_not_dated_before_it(
    logged_in, register
):
    import time_machine

    def at(day):
        return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=CST), tick=False)

    with at(dt.date(2026, 11, 2)):
        case = register(received_on=dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 6)):
        early = logged_in.post(
            act_url(case, "materials_received"), {**statuses(case), "received_on": "2026-11-01"}
        )
        assert "收取日期不能早于收到材料的日期（2026-11-02）" in early.content.decode()
        assert not case.materials.filter(status="received").exists()
        form = logged_in.get(act_url(case, "materials_received")).content.decode()
        assert 'name="received_on"' in form and 'value="2026-11-06"' in form
        response = logged_in.post(
            act_url(case, "materials_received"), {**statuses(case), "received_on": "2026-11-05"}
        )
        assert response.status_code == 302
        assert set(case.materials.values_list("received_on", flat=True)) == {dt.date(2026, 11, 5)}
        page = logged_in.get(reverse("cases:case", args=[case.number])).content.decode()
        assert "2026-11-05" in page
        refused = logged_in.post(act_url(case, "accept"), {"on": "2026-11-04"})
        assert "受理日期不能早于材料收齐的日期（2026-11-05）" in refused.content.decode()
        case.refresh_from_db()
        assert case.accepted_on is None
        assert logged_in.post(act_url(case, "accept"), {"on": "2026-11-05"}).status_code == 302
        case.refresh_from_db()
        assert case.accepted_on == dt.date(2026, 11, 5)


def test_deferring_a_material_through_the_form_needs_the_commitment(logged_in, register, make_item):
    item = make_item(
        materials=[
            MaterialData(name="居民身份证", kind="certificate", originals=1),
            MaterialData(name="村委会证明", necessity="deferrable", originals=1),
        ]
    )
    case = register(item=item)
    chosen = {
        f"status_{line.material_id}": "deferred"
        if line.material.name == "村委会证明"
        else "received"
        for line in case.materials.select_related("material")
    }
    response = logged_in.post(act_url(case, "materials_received"), chosen)
    assert response.status_code == 200
    html = response.content.decode()
    assert "容缺后补须由申请人签署书面承诺" in html and "请填写容缺材料的补交期限" in html
    assert not case.materials.filter(status="deferred").exists()
    later = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = logged_in.post(
        act_url(case, "materials_received"), {**chosen, "deferred_until": later, "commitment": "on"}
    )
    assert response.status_code == 302
    assert case.materials.get(status="deferred").deferred_until.isoformat() == later


def test_the_refusal_form_offers_only_departments_in_service(logged_in, register, yiyuan):
    from bangban.network import actions as network

    closed = yiyuan.department("县人力资源和社会保障局")
    network.update_department(closed, active=False, by=None)
    html = logged_in.get(act_url(register(), "refuse")).content.decode()
    assert f'<option value="{closed.pk}"' not in html

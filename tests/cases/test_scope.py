"""Who sees a case: the role × place matrix, through the one gate."""

from __future__ import annotations

import pytest
from django.http import Http404

from bangban.cases import actions
from bangban.cases.actions.paths import refresh_paths
from bangban.cases.models import Case, Transfer
from bangban.cases.scope import cases_for, get_case_for, may
from bangban.network.models import Region, Role


def _account(make_account, yiyuan, role, where):
    bindings = {
        ("region_admin", "county"): yiyuan.county,
        ("supervisor", "county"): yiyuan.county,
        ("region_admin", "city"): yiyuan.county.parent,
        ("supervisor", "province"): yiyuan.county.parent.parent,
        ("town_admin", "own"): lambda: yiyuan.town("鲁村镇"),
        ("town_admin", "other"): lambda: yiyuan.town("南麻街道"),
        ("point_lead", "own"): lambda: yiyuan.station("鲁村镇"),
        ("point_lead", "other"): lambda: yiyuan.station("鲁村镇", 1),
        ("helper", "own"): lambda: yiyuan.station("鲁村镇"),
        ("helper", "other"): lambda: yiyuan.station("鲁村镇", 1),
        ("department_admin", "county"): lambda: yiyuan.department("县医疗保障局"),
        ("partner_admin", "county"): lambda: yiyuan.organisation("沂源农村商业银行"),
    }
    binding = bindings[role, where]
    binding = binding() if callable(binding) else binding
    return make_account(role, binding, username=f"scope-{role}-{where}")


MATRIX = [
    ("region_admin", "county", True),
    ("region_admin", "city", True),
    ("supervisor", "province", True),
    ("supervisor", "county", True),
    ("town_admin", "own", True),
    ("town_admin", "other", False),
    ("point_lead", "own", True),
    ("point_lead", "other", False),
    ("helper", "own", True),
    ("helper", "other", False),
    ("department_admin", "county", False),
    ("partner_admin", "county", False),
]


@pytest.mark.parametrize(("role", "where", "sees"), MATRIX)
def test_who_sees_a_case_registered_at_a_village_station(
    role, where, sees, register, make_account, yiyuan
):
    case = register()
    user = _account(make_account, yiyuan, role, where)
    assert cases_for(user).filter(pk=case.pk).exists() is sees


def test_an_admin_of_another_county_sees_nothing(register, make_account, yiyuan):
    case = register()
    other = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    user = make_account(Role.REGION_ADMIN, other)
    with pytest.raises(Http404):
        get_case_for(user, case.number)


def test_a_region_admin_responsible_elsewhere_sees_that_case_too(register, make_account, yiyuan):
    """A region administrator's ledger is their counties' index alone (no OR of `responsible`,
    which would sort the whole county for a page) unless they are first responsible for a case
    outside them, which they then see as well."""
    case = register()
    other = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    admin = make_account(Role.REGION_ADMIN, other)

    def fresh():  # a new request's user object: nothing read for the last one is kept
        return type(admin).objects.get(pk=admin.pk)

    scope = cases_for(fresh())
    assert "responsible_id" not in str(scope.values("pk").query)
    assert not scope.filter(pk=case.pk).exists()
    Case.objects.filter(pk=case.pk).update(responsible=admin)
    scope = cases_for(fresh())
    assert "responsible_id" in str(scope.values("pk").query)
    assert scope.filter(pk=case.pk).exists()
    assert get_case_for(fresh(), case.number) == case


def test_the_first_responsible_helper_keeps_seeing_the_case(register, helper):
    case = register()
    assert get_case_for(helper, case.number) == case
    # Even were the case handled elsewhere and the helper no longer at the point: responsibility.
    helper.memberships.all().delete()
    helper._bangban_memberships = None
    assert get_case_for(helper, case.number) == case


def test_a_supervisor_sees_but_may_not_act(register, make_account, yiyuan):
    case = register()
    supervisor = make_account(Role.SUPERVISOR, yiyuan.county)
    assert cases_for(supervisor).filter(pk=case.pk).exists()
    assert not cases_for(supervisor, "change").filter(pk=case.pk).exists()


def test_missing_and_not_allowed_look_the_same(make_account, yiyuan):
    user = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    with pytest.raises(Http404):
        get_case_for(user, "370323-20261125-9999")


@pytest.mark.parametrize(("role", "where", "sees"), MATRIX)
@pytest.mark.parametrize("action", ["view", "act", "change"])
def test_one_case_and_the_ledger_follow_the_same_rule(
    role, where, sees, action, register, make_account, yiyuan, helper
):
    """`get_case_for` (one row) and `cases_for` (the ledger) agree for every role and action, on a
    case at the station, one on offer to the 医保 sub-zone and one it accepted."""
    subzone = yiyuan.subzone("medical_insurance")
    plain, offered, moved = register(), register(), register()
    actions.transfer_case(offered, to_point=subzone, reason="需县医保分区办理", by=helper)
    transfer = actions.transfer_case(moved, to_point=subzone, reason="需县医保分区办理", by=helper)
    Transfer.objects.filter(pk=transfer.pk).update(status="accepted")
    Case.objects.filter(pk=moved.pk).update(handling_point=subzone)
    refresh_paths(Case.objects.filter(pk=moved.pk))  # the scope columns, as accepting writes them
    user = _account(make_account, yiyuan, role, where)
    listed = set(cases_for(user, action).values_list("number", flat=True))
    for case in (plain, offered, moved):
        case.refresh_from_db()
        assert may(user, case, action) is (case.number in listed), (case.number, action)
        try:
            found = get_case_for(user, case.number, action) == case
        except Http404:
            found = False
        assert found is (case.number in listed)

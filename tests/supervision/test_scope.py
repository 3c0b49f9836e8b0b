# ruff: noqa: F811 - the fixtures imported from tests.supervision.inspecting
"""Who sees which complaints, inspections, checklists and the rectifications of complaints and
findings (`supervision.scope`, `feedback.scope`): one matrix for every role — helper, point lead,
town admin (own town, another), department admin, partner admin, region admin (county, city),
supervisor, special supervisor (特邀监督员), no membership, inactive, superuser.

What the matrix holds to: a confidential complaint (a fee complaint, a 举报) and its rectification
never reach the station accused nor its town; a complaint names its complainant, so no helper or
point lead sees one; an unannounced inspection is its inspector's alone until submitted — not the
point's, its town's nor the bureau's — and everyone's who may see the point after; a special
supervisor sees their own inspections and the checklists, nothing else.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404

from bangban.feedback.models import Rectification
from bangban.feedback.scope import rectifications_for
from bangban.network.models import Region, Role
from bangban.supervision import actions, scope
from bangban.supervision.models import Category, Inspection, Kind
from tests.supervision.inspecting import checklist, checklist_item, inspect  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

ROLES = [
    "helper",
    "point_lead",
    "town_admin",
    "other_town_admin",
    "department_admin",
    "partner_admin",
    "region_admin",
    "city_admin",
    "supervisor",
    "special",
    "nobody",
    "inactive",
    "superuser",
]

#: The complaints made below: about the station (a plain 推诿扯皮, a fee complaint, a 举报), about
#: the partner bank's station and about the 医保 sub-zone (a department's).
COMPLAINTS = {"station", "fee", "report", "partner", "subzone"}
COUNTY = COMPLAINTS

#: role → the complaints seen. No one below a town; no confidential one below the county.
SEES_COMPLAINTS = {
    "helper": set(),
    "point_lead": set(),
    "town_admin": {"station", "partner"},
    "other_town_admin": set(),
    "department_admin": {"subzone"},
    "partner_admin": {"partner"},
    "region_admin": COUNTY,
    "city_admin": COUNTY,
    "supervisor": COUNTY,
    "special": set(),
    "nobody": set(),
    "inactive": set(),
    "superuser": COUNTY,
}

#: role → the rectifications of those complaints seen: the point's own (it puts them right),
#: never a confidential one below the county.
SEES_RECTIFICATIONS = {
    "helper": {"station"},
    "point_lead": {"station"},
    "town_admin": {"station", "partner"},
    "other_town_admin": set(),
    "department_admin": {"subzone"},
    "partner_admin": {"partner"},
    "region_admin": COUNTY,
    "city_admin": COUNTY,
    "supervisor": COUNTY,
    "special": set(),
    "nobody": set(),
    "inactive": set(),
    "superuser": COUNTY,
}


@pytest.fixture
def partner_station(yiyuan):
    return yiyuan.partner_station("沂源农村商业银行")


@pytest.fixture
def who(people, yiyuan, make_account, partner_station):
    """Every role, as a user."""
    users = {
        "helper": people.helper,
        "point_lead": people.lead,
        "town_admin": people.town_admin,
        "other_town_admin": people.other_town_admin,
        "department_admin": make_account(Role.DEPARTMENT_ADMIN, yiyuan.department("县医疗保障局")),
        "partner_admin": make_account(Role.PARTNER_ADMIN, partner_station.organisation),
        "region_admin": people.bureau,
        "city_admin": make_account(Role.REGION_ADMIN, Region.objects.get(code="3703")),
        "supervisor": people.supervisor,
        "special": people.special,
        "superuser": get_user_model().objects.create_superuser(
            "root-supervision", password="Secure-pass-123"
        ),
    }
    nobody = make_account(Role.HELPER, people.station, username="scope-nobody")
    nobody.memberships.all().delete()
    users["nobody"] = get_user_model().objects.get(pk=nobody.pk)
    inactive = make_account(Role.REGION_ADMIN, yiyuan.county, username="scope-inactive")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    users["inactive"] = inactive
    return users


@pytest.fixture
def complaints(people, complain, yiyuan, partner_station):
    """{name: a complaint signed by the bureau (so each has its rectification)}."""
    made = {
        "station": complain(),
        "fee": complain(category=Category.FEE, title="代办收费"),
        "report": complain(kind=Kind.REPORT, category=Category.FAVOUR, title="吃拿卡要"),
        "partner": complain(point=partner_station, helper=None),
        "subzone": complain(point=yiyuan.subzone("medical_insurance"), helper=None),
    }
    signed = {name: actions.sign(c, by=people.bureau) for name, c in made.items()}
    assert all(c.rectification_id for c in signed.values())
    return signed


def _names(queryset, objects: dict) -> set[str]:
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, obj in objects.items() if obj.pk in ids}


@pytest.mark.parametrize("role", ROLES)
def test_complaints_by_role(role, who, complaints):
    assert _names(scope.complaints_for(who[role]), complaints) == SEES_COMPLAINTS[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_rectifications_of_complaints_by_role(role, who, complaints):
    rects = {name: c.rectification for name, c in complaints.items()}
    assert _names(rectifications_for(who[role]), rects) == SEES_RECTIFICATIONS[role]


def test_a_confidential_complaint_never_reaches_the_station_nor_its_town(who, complaints):
    hidden = {complaints["fee"].pk, complaints["report"].pk}
    rects = {complaints["fee"].rectification_id, complaints["report"].rectification_id}
    for role in ("helper", "point_lead", "town_admin"):
        user = who[role]
        assert not scope.complaints_for(user).filter(pk__in=hidden).exists(), role
        assert not rectifications_for(user).filter(pk__in=rects).exists(), role
    assert scope.complaints_for(who["region_admin"]).filter(pk__in=hidden).count() == 2


def test_a_fee_complaint_about_a_partner_station_never_reaches_it(
    people, complain, who, make_helper, partner_station
):
    """The bank's own: its organisation's administrator, the station's helper and lead, and the
    town it lies in see a plain complaint about it and its rectification, never a fee complaint's."""
    helper = make_helper(partner_station).user
    accused = {
        "partner_admin": who["partner_admin"],
        "helper": helper,
        "point_lead": make_helper(partner_station, role=Role.POINT_LEAD).user,
        "town_admin": who["town_admin"],
    }
    fee = complain(point=partner_station, helper=helper, category=Category.FEE, title="收费")
    plain = complain(point=partner_station, helper=helper)
    assert fee.confidential and fee.level == "bureau"
    fee, plain = (actions.sign(c, by=people.bureau) for c in (fee, plain))
    assert fee.rectification.point_id == partner_station.pk
    for role, user in accused.items():
        assert not scope.complaints_for(user).filter(pk=fee.pk).exists(), role
        assert not rectifications_for(user).filter(pk=fee.rectification_id).exists(), role
        with pytest.raises(Http404):
            scope.get_complaint_for(user, fee.pk)
        # What they would see were it not a fee complaint: the plain one's rectification.
        assert rectifications_for(user).filter(pk=plain.rectification_id).exists(), role
    assert scope.complaints_for(who["partner_admin"]).filter(pk=plain.pk).exists()
    assert scope.complaints_for(who["region_admin"]).filter(pk=fee.pk).exists()
    assert rectifications_for(who["region_admin"]).filter(pk=fee.rectification_id).exists()


@pytest.mark.parametrize("role", ROLES)
def test_get_complaint_for_agrees_with_the_list(role, who, complaints):
    for name, complaint in complaints.items():
        seen = name in SEES_COMPLAINTS[role]
        try:
            scope.get_complaint_for(who[role], complaint.pk)
        except Http404:
            assert not seen, name
        else:
            assert seen, name


# --- Inspections ---------------------------------------------------------------------------------


def _submit(inspection: Inspection) -> Inspection:
    """`inspection` submitted by its inspector (no findings: nothing to photograph)."""
    return actions.submit_inspection(inspection, summary="", by=inspection.inspector)


@pytest.fixture
def inspections(people, inspect, partner_station):
    """A supervisor's unannounced visit to the station; a special supervisor's to the partner
    bank's station. Both drafts, started through `actions.start_inspection`."""
    partner = inspect(point=partner_station, by=people.special)
    assert partner.by == Inspection.By.SPECIAL
    return {"station": inspect(), "partner": partner}


#: role → the inspections seen while both are drafts: the inspector's own only.
SEES_DRAFTS = {role: set() for role in ROLES} | {
    "supervisor": {"station"},
    "special": {"partner"},
    "superuser": {"station", "partner"},
}

#: role → those seen once both are submitted: everyone's who may see the point, and the inspector.
SEES_SUBMITTED = {
    "helper": {"station"},
    "point_lead": {"station"},
    "town_admin": {"station", "partner"},
    "other_town_admin": set(),
    "department_admin": set(),
    "partner_admin": {"partner"},
    "region_admin": {"station", "partner"},
    "city_admin": {"station", "partner"},
    "supervisor": {"station", "partner"},
    "special": {"partner"},
    "nobody": set(),
    "inactive": set(),
    "superuser": {"station", "partner"},
}


@pytest.mark.parametrize("role", ROLES)
def test_an_unannounced_inspection_is_hidden_until_submitted(role, who, inspections):
    user = who[role]
    assert _names(scope.inspections_for(user), inspections) == SEES_DRAFTS[role]
    for inspection in inspections.values():
        _submit(inspection)
    assert _names(scope.inspections_for(user), inspections) == SEES_SUBMITTED[role]


def test_only_the_inspector_may_edit_a_draft(who, inspections):
    station, partner = inspections["station"], inspections["partner"]
    assert scope.may_edit_inspection(who["supervisor"], station)
    assert scope.may_edit_inspection(who["special"], partner)
    for role in ("region_admin", "town_admin", "special", "superuser"):
        assert not scope.may_edit_inspection(who[role], station), role
    assert not scope.may_edit_inspection(who["supervisor"], _submit(station))


#: role → the points they may inspect (directory data): the county's, for the three who inspect.
INSPECTS = {"region_admin", "city_admin", "supervisor", "special", "superuser"}


@pytest.mark.parametrize("role", ROLES)
def test_the_points_to_inspect_by_role(role, who, people):
    points = scope.points_to_inspect(who[role])
    assert points.filter(pk=people.station.pk).exists() is (role in INSPECTS)


# --- Findings' rectifications --------------------------------------------------------------------


@pytest.fixture
def finding_rectification(people, inspect, checklist_item):
    """The rectification `actions.submit_inspection` opens for a finding at the station."""
    inspection = inspect()
    finding = actions.record_finding(
        inspection,
        item=checklist_item("工作人员统一着装"),
        occurrences=1,
        note="未着装",
        by=people.supervisor,
    )
    _submit(inspection)
    finding.refresh_from_db()
    assert finding.rectification.subject == Rectification.Subject.FINDING
    return finding.rectification


#: role → whether they see a finding's rectification at the station: those who see the station.
SEES_FINDING = {
    "helper",
    "point_lead",
    "town_admin",
    "region_admin",
    "city_admin",
    "supervisor",
    "superuser",
}


@pytest.mark.parametrize("role", ROLES)
def test_the_rectification_of_a_finding_by_role(role, who, finding_rectification):
    seen = rectifications_for(who[role]).filter(pk=finding_rectification.pk).exists()
    assert seen is (role in SEES_FINDING)


# --- Checklists ----------------------------------------------------------------------------------

#: role → may see the county's checklists; may keep them.
SEES_CHECKLISTS = INSPECTS
KEEPS_CHECKLISTS = {"region_admin", "city_admin", "superuser"}


@pytest.mark.parametrize("role", ROLES)
def test_checklists_by_role(role, who, checklist):
    user = who[role]
    assert scope.checklists_for(user).filter(pk=checklist.pk).exists() is (role in SEES_CHECKLISTS)
    kept = scope.checklists_for(user, "change").filter(pk=checklist.pk).exists()
    assert kept is (role in KEEPS_CHECKLISTS)

"""The `point_path` of ratings, rectifications, complaints and inspections (decision 0066) equals
the path recomputed from scratch after random sequences of ratings (bad ones opening
rectifications), complaints received and re-pointed, inspections started and submitted, points
moved (`update_point`) and division re-imports; and the scope read from the column is the rule it
replaces (the points a user may see, matched by id), for every kind of binding."""

from __future__ import annotations

import random

import pytest

from bangban.feedback.actions import rate_occasion
from bangban.feedback.errors import FeedbackError
from bangban.feedback.models import Rating, Rectification
from bangban.feedback.scope import REGION_ROLES, ratings_for, rectifications_for
from bangban.network import access
from bangban.network import actions as network_actions
from bangban.network.divisions import import_divisions, yiyuan_files
from bangban.network.models import Role, ServicePoint
from bangban.network.paths import refresh_point_path
from bangban.supervision import actions
from bangban.supervision.errors import SupervisionError
from bangban.supervision.models import Complaint, Inspection
from bangban.supervision.scope import MANAGER_ROLES, complaints_for, inspections_for
from tests.feedback.rectifying import occasion_of
from tests.supervision.inspecting import checklist, inspect  # noqa: F401 - fixtures

Kind = ServicePoint.Kind
MODELS = (Rating, Rectification, Complaint, Inspection)


def from_scratch() -> dict:
    """Each row's path, computed in Python from its point ("" for none)."""
    paths = {p.pk: p.subtree_prefix for p in ServicePoint.objects.all()}
    return {
        model.__name__: {
            pk: paths.get(point, "") for pk, point in model.objects.values_list("pk", "point_id")
        }
        for model in MODELS
    }


def stored() -> dict:
    return {model.__name__: dict(model.objects.values_list("pk", "point_path")) for model in MODELS}


def _counties(user, action) -> set[int]:
    out: set[int] = set()
    for m in access.memberships(user):
        if action in access.ROLE_ACTIONS[m.role] and m.role in REGION_ROLES:
            out.update(access.county_ids_of(m.region) or ())
    return out


def old_feedback_rule(user, action, model, confidential: bool) -> set[int]:
    """Ratings and rectifications as the scope read them before the column: the counties of the
    region roles, or the points the user may `action`, by id (not a confidential row)."""
    counties = _counties(user, action)
    ids = set(access.points_for(user, action).values_list("pk", flat=True))
    return {
        r.pk
        for r in model.objects.all()
        if r.county_id in counties or (r.point_id in ids and not (confidential and r.confidential))
    }


def old_complaint_rule(user, action) -> set[int]:
    counties = _counties(user, action)
    q = None
    for m in access.memberships(user):
        if action not in access.ROLE_ACTIONS[m.role]:
            continue
        if (
            m.role in REGION_ROLES and access.county_ids_of(m.region) is None
        ) or m.role in MANAGER_ROLES:
            part = access.binding_points_q(m)
            q = part if q is None else q | part
    ids = set() if q is None else set(ServicePoint.objects.filter(q).values_list("pk", flat=True))
    return {
        c.pk
        for c in Complaint.objects.all()
        if c.county_id in counties or (c.point_id in ids and not c.confidential)
    }


def old_inspection_rule(user) -> set[int]:
    counties = _counties(user, "view")
    q = None
    for m in access.memberships(user):
        if "view" not in access.ROLE_ACTIONS[m.role]:
            continue
        if m.role in REGION_ROLES and access.county_ids_of(m.region) is not None:
            continue
        part = access.binding_points_q(m)
        q = part if q is None else q | part
    ids = set() if q is None else set(ServicePoint.objects.filter(q).values_list("pk", flat=True))
    return {
        i.pk
        for i in Inspection.objects.all()
        if i.inspector_id == user.pk
        or (
            i.status == Inspection.Status.SUBMITTED
            and (i.county_id in counties or i.point_id in ids)
        )
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_column_equals_a_recount_after_random_rows_moves_and_imports(
    seed,
    yiyuan,
    people,
    register,
    make_helper,
    make_account,
    complain,
    inspect,  # noqa: F811
):
    rng = random.Random(seed)
    county = yiyuan.county
    partners = list(ServicePoint.objects.filter(county=county, kind=Kind.PARTNER_STATION)[:3])
    places = [
        people.station,
        people.other_station,
        yiyuan.station("南麻街道"),
        yiyuan.town("鲁村镇"),
        yiyuan.subzone("medical_insurance"),
        *partners,
    ]
    towns = list(ServicePoint.objects.filter(county=county, kind=Kind.TOWN_CENTRE))
    staff = {p.pk: make_helper(p).user for p in places}
    for step in range(40):
        move = rng.random()
        place = rng.choice(places)
        try:
            if move < 0.25:
                by = staff[place.pk]
                case = register(point=place, by=by, responsible=by)
                rate_occasion(
                    occasion_of(case, place, by),
                    level=rng.choice([1, 2, 4, 5]),
                    channel="qr",
                    comment="随机评价",
                    rater_phone_digest=case.applicant.phone_digest,
                )
            elif move < 0.45:
                kind = rng.choice(["complaint", "report", "consult"])
                complain(kind=kind, point=rng.choice([place, None]), helper=None)
            elif move < 0.55 and Complaint.objects.filter(status="received").exists():
                complaint = rng.choice(list(Complaint.objects.filter(status="received")))
                actions.link(complaint, by=people.bureau, point=place)
            elif move < 0.65:
                inspection = inspect(point=place)
                if rng.random() < 0.7:
                    actions.submit_inspection(inspection, summary="", by=people.supervisor)
            elif move < 0.92:
                bank = rng.choice(partners)
                bank.refresh_from_db()
                network_actions.update_point(
                    bank, parent=rng.choice([t for t in towns if t.pk != bank.parent_id]), by=None
                )
            else:
                files = yiyuan_files()
                import_divisions(
                    counties=files.counties, towns=files.towns, villages=files.villages
                )
        except (FeedbackError, SupervisionError):
            pass  # a step the rules refuse: nothing was written
        assert stored() == from_scratch(), f"after step {step} (seed {seed})"
    assert Rating.objects.exists() and Complaint.objects.exists() and Inspection.objects.exists()

    # The scope read from the column is the rule it replaces, for every kind of binding.
    users = [
        people.helper,
        people.lead,
        *staff.values(),
        people.town_admin,
        people.other_town_admin,
        make_account(Role.POINT_LEAD, places[4], username="p-lead"),
        people.bureau,
        people.supervisor,
        people.special,
        make_account(Role.REGION_ADMIN, county.parent, username="p-city"),
        make_account(Role.SUPERVISOR, county.parent.parent, username="p-province"),
        make_account(
            Role.DEPARTMENT_ADMIN, yiyuan.department("县医疗保障局"), username="p-department"
        ),
        people.partner_admin,
        make_account(Role.PARTNER_ADMIN, partners[0].organisation, username="p-partner"),
    ]
    # Read afresh, as each request does (a user object keeps the memberships it read first).
    users = [type(u).objects.get(pk=u.pk) for u in users]
    for user in users:
        for action in ("view", "act", "change"):
            got = set(ratings_for(user, action).values_list("pk", flat=True))
            assert got == old_feedback_rule(user, action, Rating, False), (user, action)
            got = set(rectifications_for(user, action).values_list("pk", flat=True))
            assert got == old_feedback_rule(user, action, Rectification, True), (user, action)
            got = set(complaints_for(user, action).values_list("pk", flat=True))
            assert got == old_complaint_rule(user, action), (user, action)
        got = set(inspections_for(user).values_list("pk", flat=True))
        assert got == old_inspection_rule(user), user


def test_a_division_import_puts_right_paths_gone_stale(
    yiyuan,
    people,
    complain,
    inspect,  # noqa: F811
):
    complain()
    complain(point=None, kind="consult")
    inspect()
    for model in (Complaint, Inspection):
        model.objects.exclude(point=None).update(point_path="/0/")
    files = yiyuan_files()
    import_divisions(counties=files.counties, towns=files.towns, villages=files.villages)
    assert stored() == from_scratch()
    assert Complaint.objects.filter(point=None).get().point_path == ""


def test_nothing_is_rewritten_when_nothing_moved(
    yiyuan, people, complain, django_assert_num_queries
):
    from bangban.network.changes import NetworkChange

    complain()
    change = NetworkChange(county=yiyuan.county, points=None)
    with django_assert_num_queries(1):  # the read that finds no stale row
        assert refresh_point_path(Complaint.objects.all(), change) == 0

"""The directory's grams (decision 0069): every write of a point's name or a user's names rewrites
them in its transaction, so the tables always equal their recomputation from scratch — after
creates, renames, the division import of a county from its files and its re-import a year later —
and `ServicePoint.objects.named` finds exactly what `name__contains` finds."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from bangban.kernel.search import capped_counts, gram_candidates
from bangban.network import actions
from bangban.network.divisions import import_divisions
from bangban.network.models import (
    PointGram,
    Role,
    ServicePoint,
    UserGram,
    point_grams,
    user_grams,
    users_named,
)
from tests.divisions import DIVISIONS, import_dong_e

Kind = ServicePoint.Kind
User = get_user_model()


def stored_points() -> dict[int, set[str]]:
    table: dict[int, set[str]] = {}
    for point_id, gram in PointGram.objects.values_list("point_id", "gram"):
        table.setdefault(point_id, set()).add(gram)
    return table


def recomputed_points() -> dict[int, set[str]]:
    """Every point's grams from scratch, one point at a time (a point with no gram is left out)."""
    table = {p.pk: point_grams(p.name) for p in ServicePoint.objects.all()}
    return {pk: found for pk, found in table.items() if found}


def stored_users() -> dict[int, set[str]]:
    table: dict[int, set[str]] = {}
    for user_id, gram in UserGram.objects.values_list("user_id", "gram"):
        table.setdefault(user_id, set()).add(gram)
    return table


def recomputed_users() -> dict[int, set[str]]:
    table = {u.pk: user_grams(u.first_name, u.last_name) for u in User.objects.all()}
    return {pk: found for pk, found in table.items() if found}


def test_the_network_as_loaded_has_its_grams(yiyuan):
    assert PointGram.objects.exists()
    assert stored_points() == recomputed_points()


def test_creating_and_renaming_points_rewrite_their_grams(yiyuan):
    lucun = yiyuan.town("鲁村镇")
    bank = yiyuan.organisation("沂源农村商业银行")
    station = actions.create_point(
        lucun,
        kind=Kind.PARTNER_STATION,
        name="农商银行鲁村支行自助网点",
        organisation=bank,
        by=None,
    )
    assert stored_points() == recomputed_points()
    assert list(ServicePoint.objects.named("自助网点")) == [station]
    actions.update_point(station, name="Bank 鲁村 ATM 网点", by=None)
    assert stored_points() == recomputed_points()
    assert not ServicePoint.objects.named("自助网点").exists()
    assert list(ServicePoint.objects.named("鲁村 ATM")) == [station]
    actions.update_point(station, phone="0533-3210000", by=None)  # not its name
    actions.update_point(yiyuan.station("鲁村镇"), name="鲁村镇草埠社区服务站", by=None)
    assert stored_points() == recomputed_points()


def test_accounts_have_the_grams_of_their_names(yiyuan):
    user = actions.create_account(
        username="wang.jianguo",
        password="Secure-pass-123",
        role=Role.HELPER,
        binding=yiyuan.station("鲁村镇"),
        full_name="王建国",
        by=None,
    )
    actions.create_account(
        username="noname",
        password="Secure-pass-123",
        role=Role.HELPER,
        binding=yiyuan.station("鲁村镇"),
        by=None,
    )
    assert stored_users() == recomputed_users()
    assert set(users_named("建国").values_list("user_id", flat=True)) == {user.pk}
    assert set(users_named("王建国").values_list("pk", flat=True)) == {user.pk}


def _year_two(folder: Path) -> dict[str, Path]:
    """东阿县's files a year later: the county renamed, a village renamed, one new, one gone."""
    folder.mkdir()
    paths = {}
    for kind in ("counties", "towns", "villages", "cities", "provinces"):
        source = DIVISIONS / f"dong-e-371524-{kind}.csv"
        paths[kind] = folder / source.name
        shutil.copy(source, paths[kind])
    county = paths["counties"].read_text(encoding="utf-8").replace("东阿县", "东阿新县")
    paths["counties"].write_text(county, encoding="utf-8")
    with paths["villages"].open(encoding="utf-8") as file:
        rows = list(csv.reader(file))
    header, first, second, *others = rows
    first[1] = "立信坛新社区居民委员会"
    new = [first[0][:-3] + "999", "Xinhe 新河村民委员会", *first[2:]]
    with paths["villages"].open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header, first, new, *others])  # `second` is gone
    return paths


def test_a_county_imported_from_its_files_and_again_a_year_later(db, tmp_path):
    county = import_dong_e()
    assert ServicePoint.objects.filter(county=county).count() > 90
    assert stored_points() == recomputed_points()
    report = import_divisions(**_year_two(tmp_path / "two"))
    assert (report.points_created, report.points_renamed) == (1, 2)
    assert stored_points() == recomputed_points()
    assert ServicePoint.objects.named("东阿新县").count() == 1
    assert not ServicePoint.objects.named("东阿县").exists()
    assert ServicePoint.objects.named("立信坛新社区").count() == 1
    assert (
        ServicePoint.objects.named("xinhe").count()
        == ServicePoint.objects.filter(name__contains="xinhe").count()
    )
    # Imported again unchanged: nothing to rewrite, nothing changes.
    import_divisions(**_year_two(tmp_path / "again"))
    assert stored_points() == recomputed_points()


@pytest.fixture
def operator(client, db):
    user = User.objects.create_superuser("operator", password="Secure-pass-123")
    client.force_login(user)
    return client


def test_a_point_renamed_in_admin_gets_the_grams_of_its_new_name(operator, yiyuan):
    station = yiyuan.station("鲁村镇")
    form = {
        "name": "改名后的便民服务站",
        "address": "",
        "phone": "",
        "active": "on",
        "hours-TOTAL_FORMS": "0",
        "hours-INITIAL_FORMS": "0",
    }
    response = operator.post(f"/admin/network/servicepoint/{station.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(ServicePoint.objects.named("改名后")) == [station]
    assert stored_points() == recomputed_points()


def test_a_user_renamed_in_admin_gets_the_grams_of_the_new_name(operator, yiyuan):
    user = actions.create_account(
        username="li.he",
        password="Secure-pass-123",
        role=Role.HELPER,
        binding=yiyuan.station("鲁村镇"),
        full_name="李合格",
        by=None,
    )
    url = f"/admin/auth/user/{user.pk}/change/"
    form = operator.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        first_name="赵新名",
        last_name="",
        date_joined_0=user.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=user.date_joined.strftime("%H:%M:%S"),
        groups=[],
        user_permissions=[],
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = operator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(users_named("新名").values_list("user_id", flat=True)) == {user.pk}
    assert not users_named("合格").exists()
    assert stored_users() == recomputed_users()


def test_grams_are_counted_up_to_the_cap_and_the_rarest_chosen_below_it(yiyuan):
    """`capped_counts` counts each gram's rows up to the cap; `gram_candidates` takes the rarest
    gram's rows when that one is under the cap, and gives up (None: the caller's substring test
    alone) when every gram reaches it."""
    rows = PointGram.objects.all()
    holding = {g: rows.filter(gram=g).count() for g in ("鲁村", "服务", "便民")}
    assert 0 < holding["鲁村"] < 10 < holding["服务"] and holding["便民"] >= 10
    assert capped_counts(rows, ["便民", "服务", "鲁村"], 10) == {
        "便民": 10,
        "服务": 10,
        "鲁村": holding["鲁村"],
    }
    assert capped_counts(rows, ["服务"], 10_000) == {"服务": holding["服务"]}
    candidates = gram_candidates(rows, "鲁村镇便民服务中心", "point_id", cap=10)
    assert {r["point_id"] for r in candidates} == set(
        rows.filter(gram="鲁村").values_list("point_id", flat=True)
    )
    assert gram_candidates(rows, "便民服务", "point_id", cap=10) is None
    assert gram_candidates(rows, "便民服务", "point_id", cap=10_000) is not None

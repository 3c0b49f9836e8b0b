"""Excel templates, imports and exports of helpers and equipment, on the kernel's Excel engine
(`bangban.kernel.spreadsheets`: reading, parsing cells, templates, exports).

An import writes nothing unless every row is good, then writes all rows in one transaction through
the real actions (helpers: `network.actions.create_account`, `grant_membership`,
`staff.actions.save_helper`; equipment: `network.actions.add_equipment` and
`record_equipment_check`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bangban.kernel.days import EARLIEST_EVENT
from bangban.kernel.spreadsheets import (  # noqa: F401 - the staff's pages write through here
    MAX_ROWS,
    Column,
    Invalid,
    Problem,
    Sheet,
    as_text,
    choice,
    clean,
    date,
    open_workbook,
    phone,
    positive_int,
    read,
    read_rows,
    read_sheets,
    text,
    write_export,
    write_export_sheets,
    write_template,
)
from bangban.network import access
from bangban.network.actions import (
    MAX_QUANTITY,
    NetworkError,
    add_equipment,
    create_account,
    record_equipment_check,
)
from bangban.network.models import (
    Domain,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    Role,
    ServicePoint,
)

from . import actions
from .models import Helper

# --- Helpers --------------------------------------------------------------------------------------


def _zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


IMPORT_ROLES = (Role.HELPER, Role.POINT_LEAD)
DOMAIN_SEPARATORS = re.compile(r"[、,，;；\s]+")


def domain_list(value: Any) -> list[str]:
    return [name for name in DOMAIN_SEPARATORS.split(as_text(value)) if name]


def helper_sheet() -> Sheet:
    roles = {_zh(Role(r).label): r for r in IMPORT_ROLES}
    origins = {_zh(label): value for value, label in Helper.Origin.choices}
    yes_no = {_zh(_("是")): True, _zh(_("否")): False}
    domains = list(Domain.objects.values_list("name", flat=True))
    return Sheet(
        title=_("帮办代办员"),
        columns=[
            Column(
                _("用户名"),
                "username",
                text(150),
                True,
                example="zhangsan",
                note=_("登录用的用户名，不能与已有账号重复。"),
            ),
            Column(_("姓名"), "full_name", text(150), True, example="张三"),
            Column(
                _("初始密码"),
                "password",
                text(128),
                True,
                example="Bangban-2026-xyz",
                note=_("至少 8 位，不能全是数字；请通知本人首次登录后修改，导入后删除本文件。"),
                width=20,
            ),
            Column(
                _("服务点编号"),
                "point",
                positive_int,
                True,
                example=1,
                note=_(
                    "服务点页面地址中的数字（/points/编号/），见“服务点”表；只能是您可以授权的服务点。"
                ),
            ),
            Column(
                _("角色"),
                "role",
                choice(roles),
                True,
                choices=list(roles),
                example=next(iter(roles)),
            ),
            Column(
                _("专职"),
                "full_time",
                choice(yes_no),
                True,
                choices=list(yes_no),
                example=_zh(_("是")),
                width=8,
            ),
            Column(
                _("人员来源"),
                "origin",
                choice(origins),
                True,
                choices=list(origins),
                example=next(iter(origins)),
            ),
            Column(
                _("开始从事受理工作日期"),
                "started_on",
                date,
                True,
                example=dt.date(2023, 3, 1),
                note=_("格式 2023-03-01。"),
                width=22,
            ),
            Column(_("离岗日期"), "left_on", date, example="", note=_("在岗的留空。")),
            Column(_("工作电话"), "work_phone", phone, example="0533-3210000"),
            Column(
                _("负责领域"),
                "domains",
                domain_list,
                example="、".join(domains[:2]),
                note=_("用“、”分隔，可选：%(names)s。") % {"names": "、".join(domains)},
                width=30,
            ),
        ],
        instructions=[
            _("帮办代办员导入模板"),
            _(
                "在“帮办代办员”表中每行填写一个人，第 2 行是示例（灰色斜体），导入时会被忽略，也可以删除。"
            ),
            _(
                "导入时先检查全部行，任何一行有问题都不会导入，并按行列出全部问题；全部无误后一次性导入。"
            ),
            _("每行新建一个账号，并授予在该服务点的岗位和帮办代办员档案。"),
        ],
    )


@dataclass
class ImportResult:
    problems: list[Problem]
    created: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _grant_check(by) -> Callable[[str, ServicePoint], bool]:
    cache: dict[tuple[str, int], bool] = {}

    def allowed(role: str, point: ServicePoint) -> bool:
        key = (role, point.pk)
        if key not in cache:
            cache[key] = access.can_grant(by, role, point)
        return cache[key]

    return allowed


def check_helpers(rows: list[tuple[int, dict]], problems: list[Problem], *, by, sheet: Sheet):
    """The checks across rows and against the database; adds to `problems`. Returns the points
    and domains the rows name."""
    User = get_user_model()
    col = {c.key: c.header for c in sheet.columns}
    good = [(n, r) for n, r in rows if not r.get("_invalid")]
    names = {r["username"].lower() for _n, r in good if r.get("username")}
    taken = (
        set(
            User.objects.annotate(lower=Lower("username"))
            .filter(lower__in=names)
            .values_list("lower", flat=True)
        )
        if names
        else set()
    )
    point_ids = {r["point"] for _n, r in good if "point" in r}
    points = {p.pk: p for p in ServicePoint.objects.filter(pk__in=point_ids)}
    domains = {d.name: d for d in Domain.objects.all()}
    allowed = _grant_check(by)
    seen: dict[str, int] = {}
    today = timezone.localdate()
    for number, r in good:
        username = r["username"]
        if username.lower() in taken:
            problems.append(
                Problem(
                    number, col["username"], _("用户名 %(name)s 已被使用。") % {"name": username}
                )
            )
        elif username.lower() in seen:
            problems.append(
                Problem(
                    number,
                    col["username"],
                    _("与第 %(row)d 行的用户名重复。") % {"row": seen[username.lower()]},
                )
            )
        seen.setdefault(username.lower(), number)
        point = points.get(r["point"])
        if point is None or not allowed(r["role"], point):
            problems.append(
                Problem(
                    number,
                    col["point"],
                    _("找不到编号为 %(id)s 的服务点，或您无权在该服务点授予此角色。")
                    % {"id": r["point"]},
                )
            )
        elif not point.active:
            problems.append(
                Problem(number, col["point"], _("服务点“%(name)s”已停用。") % {"name": point.name})
            )
        unknown = [name for name in r["domains"] if name not in domains]
        if unknown:
            problems.append(
                Problem(
                    number,
                    col["domains"],
                    _("没有这些领域：%(names)s。") % {"names": "、".join(unknown)},
                )
            )
        if r["started_on"] > today:
            problems.append(
                Problem(number, col["started_on"], _("开始从事受理工作的日期不能晚于今天。"))
            )
        if r["left_on"] is not None and r["left_on"] < r["started_on"]:
            problems.append(
                Problem(number, col["left_on"], _("离岗日期不能早于开始从事受理工作的日期。"))
            )
        try:
            validate_password(
                r["password"], user=User(username=username, first_name=r["full_name"])
            )
        except ValidationError as error:
            problems.append(Problem(number, col["password"], " ".join(error.messages)))
    return points, domains


def import_helpers(file, *, by) -> ImportResult:
    """Check every row; if all are good, create every account, membership and profile in one
    transaction. Nothing is written when any row has a problem."""
    sheet = helper_sheet()
    rows, problems = read(file, sheet)
    if problems and not rows:
        return ImportResult(problems)
    points, domains = check_helpers(rows, problems, by=by, sheet=sheet)
    if problems:
        return ImportResult(sorted(problems, key=lambda p: p.row or 0))
    created = []
    current = None
    try:
        with transaction.atomic():
            for number, r in rows:
                current = number
                point = points[r["point"]]
                user = create_account(
                    username=r["username"],
                    password=r["password"],
                    role=r["role"],
                    binding=point,
                    by=by,
                    full_name=r["full_name"],
                )
                actions.save_helper(
                    user,
                    by=by,
                    origin=r["origin"],
                    started_on=r["started_on"],
                    full_time=r["full_time"],
                    left_on=r["left_on"],
                    work_phone=r["work_phone"],
                    domains=[domains[name] for name in r["domains"]],
                )
                created.append(
                    {
                        "row": number,
                        "username": user.username,
                        "name": r["full_name"],
                        "point": point.name,
                    }
                )
    except NetworkError as error:  # a rule the checks above did not foresee (or a race)
        messages = [m for ms in error.errors.values() for m in ms]
        return ImportResult([Problem(current, None, "；".join(messages))])
    return ImportResult([], created)


def helper_export_rows(helpers) -> Iterable[list]:
    """Rows of the helpers export (the template's columns, without the password)."""
    roles = {r: _zh(Role(r).label) for r in Role.values}
    origins = {value: _zh(label) for value, label in Helper.Origin.choices}
    for helper in helpers:
        serving = [
            m for m in helper.user.memberships.all() if m.point_id and m.role in IMPORT_ROLES
        ]
        for m in serving or [None]:
            yield [
                helper.user.username,
                helper.user.get_full_name(),
                m.point_id if m else "",
                roles[m.role] if m else "",
                _zh(_("是")) if helper.full_time else _zh(_("否")),
                origins.get(helper.origin, helper.origin),
                helper.started_on.isoformat(),
                helper.left_on.isoformat() if helper.left_on else "",
                helper.work_phone,
                "、".join(d.name for d in helper.domains.all()),
            ]


# --- Equipment ------------------------------------------------------------------------------------


def equipment_sheet() -> Sheet:
    kinds = list(EquipmentKind.objects.order_by("position", "code").values_list("name", flat=True))
    states = {_zh(label): value for value, label in Equipment.State.choices}
    return Sheet(
        title=_("设施设备"),
        columns=[
            Column(
                _("服务点编号"),
                "point",
                positive_int,
                True,
                example=1,
                note=_(
                    "服务点页面地址中的数字（/points/编号/），见“服务点”表；只能是您可以管理的服务点。"
                ),
            ),
            Column(
                _("设备类型"),
                "kind",
                choice({name: name for name in kinds}),
                True,
                choices=kinds,
                example=kinds[0] if kinds else "",
            ),
            Column(
                _("数量"),
                "quantity",
                positive_int,
                True,
                example=2,
                note=_("正整数，不超过 %(n)d。") % {"n": MAX_QUANTITY},
                width=8,
            ),
            Column(
                _("状态"),
                "state",
                choice(states),
                True,
                choices=list(states),
                example=next(iter(states)),
                width=10,
            ),
            Column(
                _("负责人用户名"),
                "responsible",
                text(150),
                example="",
                note=_("负责检查的人员的用户名，须在该服务点或其上级任职；可留空。"),
                width=18,
            ),
            Column(
                _("备注"),
                "note",
                text(200),
                example=_zh(_("示例行，导入时忽略")),
                note=_("不超过 200 个字。"),
                width=30,
            ),
            Column(
                _("最近检查日期"),
                "checked_on",
                date,
                example="",
                note=_(
                    "格式 2024-03-01，不能晚于今天。填写后按“检查正常”登记一次检查，检查人为导入人；"
                    "状态为“故障”或“已报废”时请留空。"
                ),
                width=16,
            ),
        ],
        instructions=[
            _("设施设备导入模板"),
            _(
                "在“设施设备”表中每行填写一个服务点的一类设备，第 2 行是示例（灰色斜体），导入时会被忽略，也可以删除。"
            ),
            _(
                "导入时先检查全部行，任何一行有问题都不会导入，并按行列出全部问题；全部无误后一次性导入。"
            ),
            _("每行新登记一条设施设备，不会修改或合并已登记的设备。"),
        ],
    )


def check_equipment(rows: list[tuple[int, dict]], problems: list[Problem], *, by, sheet: Sheet):
    """The checks across rows and against the database (the same rules as `add_equipment` and
    `record_equipment_check`); adds to `problems`. Returns the points, kinds and people named."""
    User = get_user_model()
    col = {c.key: c.header for c in sheet.columns}
    good = [(n, r) for n, r in rows if not r.get("_invalid")]
    point_ids = {r["point"] for _n, r in good}
    points = {p.pk: p for p in ServicePoint.objects.filter(pk__in=point_ids)}
    # The gate once for all the rows' points: those the importer may change (access.can).
    changeable = set(
        access.points_for(by, "change").filter(pk__in=points).values_list("pk", flat=True)
    )
    kinds = {k.name: k for k in EquipmentKind.objects.all()}
    usernames = {r["responsible"] for _n, r in good if r["responsible"]}
    people = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    # Where each person may view (the rule of `add_equipment`: at the point or above it).
    viewable = {
        name: set(
            access.points_for(user, "view").filter(pk__in=points).values_list("pk", flat=True)
        )
        for name, user in people.items()
    }
    today = timezone.localdate()
    for number, r in good:
        point = points.get(r["point"])
        if point is None or point.pk not in changeable:
            problems.append(
                Problem(
                    number,
                    col["point"],
                    _("找不到编号为 %(id)s 的服务点，或您无权管理该服务点的设施设备。")
                    % {"id": r["point"]},
                )
            )
            point = None
        elif not point.active:
            problems.append(
                Problem(number, col["point"], _("服务点“%(name)s”已停用。") % {"name": point.name})
            )
        if r["quantity"] > MAX_QUANTITY:
            problems.append(
                Problem(number, col["quantity"], _("数量不能超过 %(n)d。") % {"n": MAX_QUANTITY})
            )
        name = r["responsible"]
        if name:
            if name not in people:
                problems.append(
                    Problem(
                        number,
                        col["responsible"],
                        _("找不到用户名为 %(name)s 的在用账号。") % {"name": name},
                    )
                )
            elif point is not None and point.pk not in viewable[name]:
                problems.append(
                    Problem(
                        number,
                        col["responsible"],
                        _("责任人必须是在本服务点或其上级任职的人员。"),
                    )
                )
        checked_on = r["checked_on"]
        if checked_on is not None:
            if checked_on > today:
                problems.append(Problem(number, col["checked_on"], _("检查日期不能晚于今天。")))
            elif checked_on < EARLIEST_EVENT:
                problems.append(
                    Problem(number, col["checked_on"], _("检查日期不能早于 2000 年 1 月 1 日。"))
                )
            if r["state"] != Equipment.State.WORKING:
                problems.append(
                    Problem(
                        number,
                        col["checked_on"],
                        _("状态为“%(state)s”时请留空：导入的检查按“检查正常”登记。")
                        % {"state": _zh(Equipment.State(r["state"]).label)},
                    )
                )
    return points, kinds, people


def import_equipment(file, *, by) -> ImportResult:
    """Check every row; if all are good, add every piece of equipment (and its check) in one
    transaction. Nothing is written when any row has a problem."""
    sheet = equipment_sheet()
    rows, problems = read(file, sheet)
    if problems and not rows:
        return ImportResult(problems)
    points, kinds, people = check_equipment(rows, problems, by=by, sheet=sheet)
    if problems:
        return ImportResult(sorted(problems, key=lambda p: p.row or 0))
    created = []
    current = None
    try:
        with transaction.atomic():
            for number, r in rows:
                current = number
                point = points[r["point"]]
                equipment = add_equipment(
                    point,
                    kind=kinds[r["kind"]],
                    quantity=r["quantity"],
                    state=r["state"],
                    responsible=people.get(r["responsible"]),
                    note=r["note"],
                    # in use before it was put on record: on record from its last check
                    added_on=r["checked_on"],
                    by=by,
                )
                if r["checked_on"] is not None:
                    record_equipment_check(
                        equipment,
                        checked_on=r["checked_on"],
                        result=EquipmentCheck.Result.OK,
                        by=by,
                    )
                created.append(
                    {
                        "row": number,
                        "point": point.name,
                        "kind": r["kind"],
                        "quantity": r["quantity"],
                        "checked_on": r["checked_on"],
                    }
                )
    except NetworkError as error:  # a rule the checks above did not foresee (or a race)
        messages = [m for ms in error.errors.values() for m in ms]
        return ImportResult([Problem(current, None, "；".join(messages))])
    return ImportResult([], created)


def equipment_export_headers() -> list[str]:
    """The template's columns, with the point's name after its number and the next check's date."""
    headers = equipment_sheet().headers
    return [headers[0], _("服务点名称"), *headers[1:], _("下次检查日期")]


def equipment_export_rows(equipment) -> Iterable[list]:
    """Rows of the equipment export; `equipment` is annotated by `with_check_dates()`."""
    states = {value: _zh(label) for value, label in Equipment.State.choices}
    for e in equipment:
        retired = e.state == Equipment.State.RETIRED
        yield [
            e.point_id,
            e.point.name,
            e.kind.name,
            e.quantity,
            states.get(e.state, e.state),
            e.responsible.username if e.responsible else "",
            e.note,
            e.last_checked_on.isoformat() if e.last_checked_on else "",
            "" if retired or e.next_check_on is None else e.next_check_on.isoformat(),
        ]

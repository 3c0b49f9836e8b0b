"""Writes on accounts and their memberships: a membership binds the right kind of thing for its role
(`check_binding`), and a deactivated department or organisation takes no new administrator. The
names are importable from `network.actions` as before.
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangban.kernel.history import log_change

from .changes import facts_changed
from .grams import index_users
from .models import BINDING, Department, Membership, PartnerOrganisation, Region, Role, ServicePoint
from .units import _is_open
from .writes import NetworkError

Kind = ServicePoint.Kind


REGION_ROLE_LEVELS = {Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY}


def check_binding(role: str, binding) -> None:
    """A membership of `role` binds the right kind of thing (the database checks only which field)."""
    field = BINDING[Role(role)]
    expected = {
        "region": Region,
        "point": ServicePoint,
        "department": Department,
        "organisation": PartnerOrganisation,
    }[field]
    if not isinstance(binding, expected):
        raise NetworkError(
            {field: _("该角色必须绑定到%(what)s。") % {"what": expected._meta.verbose_name}}
        )
    if field == "region" and binding.level not in REGION_ROLE_LEVELS:
        raise NetworkError({"region": _("区域管理员、监督员和特邀监督员只能绑定到省、市或县。")})
    if role == Role.TOWN_ADMIN and binding.kind != Kind.TOWN_CENTRE:
        raise NetworkError({"point": _("镇（街道）管理员必须绑定到镇（街道）便民服务中心。")})


def _check_binding_open(role: str, binding) -> None:
    """A new department-admin or partner-admin membership needs a department (organisation) in
    service: a deactivated one takes no new administrators."""
    if isinstance(binding, Department | PartnerOrganisation) and not _is_open(binding):
        field = BINDING[Role(role)]
        raise NetworkError(
            {
                field: _("%(what)s“%(name)s”已停用，不能再为它新增管理员。")
                % {"what": type(binding)._meta.verbose_name, "name": binding.name}
            }
        )


@transaction.atomic
def create_account(
    *,
    username: str,
    password: str,
    role: str,
    binding,
    by,
    full_name: str = "",
    email: str = "",
):
    """Create a user with one membership. Who may create which is the gate's `can_grant`."""
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if role not in Role.values:
        errors["role"] = [_("未知的角色。")]
    if not username:
        errors["username"] = [_("请填写用户名。")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("用户名 %(name)s 已被使用。") % {"name": username}]
    candidate = User(username=username, first_name=full_name.strip(), email=email.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise NetworkError(errors)
    check_binding(role, binding)
    _check_binding_open(role, binding)
    candidate.set_password(password)
    candidate.save()
    index_users([candidate.pk])
    membership = Membership.objects.create(
        user=candidate, role=role, created_by=by, **{BINDING[Role(role)]: binding}
    )
    if membership.point_id:
        facts_changed([membership.point.county_id])
    log_change(by, candidate, ADDITION, f"新增账号：{membership}")
    return candidate


@transaction.atomic
def grant_membership(user, *, role: str, binding, by) -> Membership:
    """Give an existing user another membership (a helper serving two stations). One the user
    already holds is returned as it is."""
    check_binding(role, binding)
    bound = {BINDING[Role(role)]: binding}
    existing = Membership.objects.filter(user=user, role=role, **bound).first()
    if existing is not None:
        return existing
    _check_binding_open(role, binding)
    membership, _created = Membership.objects.get_or_create(
        user=user, role=role, **bound, defaults={"created_by": by}
    )
    if membership.point_id:
        facts_changed([membership.point.county_id])
    return membership

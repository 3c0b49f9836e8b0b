"""The account pages: the accounts in a user's scope, a new account bound to a point, and one bound
to a region, a department or a partner organisation. Who may grant which role where is the gate's
(`access.can_grant`); the account itself is made by `actions.create_account`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import access, actions
from .account_forms import (
    AccountForm,
    AccountSearchForm,
    PointAccountForm,
    account_roles_for,
    point_roles_for,
)
from .forms import add_network_errors
from .models import BINDING, Role, ServicePoint
from .page_parts import ROLE_RANK, ancestors, page


@login_required
@require_http_methods(["GET", "POST"])
def point_account_new(request, pk: int):
    """A new account bound to a point: town admin (at a town centre), point lead or helper."""
    user = request.user
    point = access.get_point_for(
        user, pk, "view", queryset=ServicePoint.objects.select_related("region", "county")
    )
    roles = point_roles_for(user, point)
    if not roles:
        raise Http404
    form = PointAccountForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        if not access.can_grant(user, role, point):
            form.add_error("role", _("您无权在此服务点授予该角色。"))
        else:
            try:
                account = actions.create_account(**form.account_arguments(), binding=point, by=user)
            except actions.NetworkError as error:
                add_network_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已新增账号“%(username)s”（%(role)s）。")
                    % {"username": account.username, "role": Role(role).label},
                )
                return redirect("network:point", pk=point.pk)
    return render(
        request,
        "network/point_account_new.html",
        {"point": point, "form": form, "ancestors": ancestors(user, point)},
    )


@login_required
def accounts(request):
    """The accounts whose memberships lie within the user's scope, one row per membership."""
    user = request.user
    search = AccountSearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    rows = access.memberships_for(user).select_related(
        "user", "region", "point", "department", "organisation"
    )
    if text:
        rows = rows.filter(
            Q(user__username__icontains=text)
            | Q(user__first_name__contains=text)
            | Q(user__last_name__contains=text)
        )
    rows = rows.annotate(role_rank=ROLE_RANK).order_by("user__username", "role_rank", "id")
    roles = access.grantable_roles(user)
    context = {
        "search": search,
        "query": text,
        "page": page(request, rows),
        "can_add": bool(account_roles_for(user)),
        "can_add_at_points": any(role in access.POINT_ROLES for role in roles),
    }
    return render(request, "network/accounts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_new(request):
    """A new account bound to a region, a department or a partner organisation."""
    user = request.user
    if not account_roles_for(user):
        raise Http404
    form = AccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        binding = form.binding()
        if not access.can_grant(user, role, binding):
            form.add_error(BINDING[Role(role)], _("您无权在这里授予该角色。"))
        else:
            try:
                account = actions.create_account(
                    **form.account_arguments(), binding=binding, by=user
                )
            except actions.NetworkError as error:
                add_network_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已新增账号“%(username)s”（%(role)s）。")
                    % {"username": account.username, "role": Role(role).label},
                )
                return redirect("network:accounts")
    return render(request, "network/account_new.html", {"form": form})

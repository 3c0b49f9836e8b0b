"""Supervision's template tags (`{% load supervision %}`): what of 监督检查 the signed-in user may
reach (the navbar's dropdown, asked of the gate's memberships, read once per request)."""

from django import template

from bangban.feedback.scope import REGION_ROLES
from bangban.network import access

from ..scope import MANAGER_ROLES

register = template.Library()

#: The roles that see complaints (`scope.complaints_q`).
COMPLAINT_ROLES = frozenset({*REGION_ROLES, *MANAGER_ROLES})


@register.simple_tag(takes_context=True)
def supervision_menu(context) -> dict:
    """{"any": show the dropdown, "complaints": show 投诉举报}: a special supervisor and every
    member of a point see the inspections (of their own, of their point once submitted); the
    complaints only those who manage (never a helper, a point lead or a special supervisor)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_active", False):
        return {"any": False, "complaints": False}
    if access.is_superuser(user):
        return {"any": True, "complaints": True}
    roles = {m.role for m in access.memberships(user)}
    return {"any": bool(roles), "complaints": bool(roles & COMPLAINT_ROLES)}


__all__ = ["supervision_menu"]

"""The network's template tags (`{% load network %}`): what the signed-in user may reach (the
navbar's links, asked of the gate) and the idle log-out's warning (network/sessions.py)."""

from django import template

from bangban.network import access

register = template.Library()


@register.simple_tag(takes_context=True)
def can_grant_any(context) -> bool:
    """May the signed-in user create accounts at all (the navbar's link to the accounts page)?"""
    request = context.get("request")
    return bool(request is not None and access.grantable_roles(request.user))


@register.simple_tag(takes_context=True)
def can_manage_units(context) -> bool:
    """Does the signed-in user keep a county's departments and partner organisations (the navbar's
    link to them)?"""
    request = context.get("request")
    return bool(request is not None and access.manages_any_units(request.user))


@register.simple_tag(takes_context=True)
def directory_only(context) -> bool:
    """Does the signed-in user see only directory data and their own inspections (a special
    supervisor, 特邀监督员)? The navbar then offers their inspections and the linkage directory,
    nothing of cases, people or ratings."""
    request = context.get("request")
    return bool(request is not None and access.directory_only(request.user))


@register.inclusion_tag("network/_idle.html", takes_context=True)
def idle_logout(context):
    """The idle log-out's warning, for a logged-in user's pages (network/sessions.py)."""
    from bangban.network import sessions

    return {
        "user": context["user"],
        "idle_seconds": round(sessions.idle_seconds()),
        "warning_seconds": round(sessions.warning_seconds()),
        "beat_seconds": round(sessions.resolution()),
    }

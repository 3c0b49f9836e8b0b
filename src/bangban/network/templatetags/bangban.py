"""Template helpers of the pages."""

from django import template
from django.http import QueryDict

from bangban.network import access

register = template.Library()


@register.simple_tag
def widget(field, css: str = "form-control"):
    """Render a bound field's widget with Bootstrap's class, and tie help text and errors to it
    (aria-describedby, aria-invalid) so screen readers read them with the field."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    attrs = {"class": css}
    if field.errors:
        css += " is-invalid"
        attrs["class"] = css
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with `page` replaced (keeps the search text and drill-down)."""
    query: QueryDict = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def can_grant_any(context) -> bool:
    """May the signed-in user create accounts at all (the navbar's link to the accounts page)?"""
    request = context.get("request")
    return bool(request is not None and access.grantable_roles(request.user))


@register.simple_tag(takes_context=True)
def can_edit_calendar(context) -> bool:
    """May the signed-in user correct the working-day calendar (the navbar's link to it)?"""
    request = context.get("request")
    return bool(request is not None and access.can_edit_calendar(request.user))


@register.simple_tag(takes_context=True)
def can_manage_units(context) -> bool:
    """Does the signed-in user keep a county's departments and partner organisations (the navbar's
    link to them)?"""
    request = context.get("request")
    return bool(request is not None and access.manages_any_units(request.user))


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

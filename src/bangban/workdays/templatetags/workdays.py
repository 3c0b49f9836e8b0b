"""The calendar's template tags (`{% load workdays %}`): whether the signed-in user may keep the
working-day calendar (the navbar's link to it), asked of the calendar's policy (workdays/scope.py)."""

from django import template

from bangban.workdays import scope

register = template.Library()


@register.simple_tag(takes_context=True)
def can_edit_calendar(context) -> bool:
    """May the signed-in user correct the working-day calendar (the navbar's link to it)?"""
    request = context.get("request")
    return bool(request is not None and scope.can_edit_calendar(request.user))

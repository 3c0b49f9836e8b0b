"""The project-wide template tags of every app's pages (`{% load bangban %}`): a form field's widget
with Bootstrap's class and its help and errors tied to it, a page's link in a paged list."""

from django import template
from django.http import QueryDict

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

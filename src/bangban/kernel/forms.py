"""Forms: a broken rule back on the page's form (the messages of a `RuleError`, `{field:
[messages]}`, next to the fields they name, or above the form when no field fits), and the renderer
of every form's widgets."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates

from .errors import RuleError


def add_rule_errors(
    form: forms.Form,
    error: RuleError,
    names: dict[str, str] | None = None,
    *,
    field: str | None = None,
) -> None:
    """Put an action's Chinese messages on `form`: each on the field its key names (through `names`,
    an action's key → the form's field), or above the form when the form has no such field; with
    `field`, every message on that one field."""
    names = names or {}
    for key, messages in error.errors.items():
        target = field or names.get(key, key)
        if target not in form.fields:
            target = None
        for message in messages:
            form.add_error(target, message)


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), with the select widget's template replaced
    by one that writes each option in place instead of including two templates per option: the
    same markup (tests/kernel/test_forms.py compares them), a quarter less of a select's time — the
    ledger's filter renders six on every page (decision 0068)."""

    replaced = {"django/forms/widgets/select.html": "kernel/widgets/select.html"}

    def get_template(self, template_name):
        return super().get_template(self.replaced.get(template_name, template_name))

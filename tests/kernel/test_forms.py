"""The form renderer's select template gives Django's own markup (decision 0068)."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from bangban.kernel.forms import FormRenderer

pytestmark = pytest.mark.django_db


class Choosing(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 & 乙"), ("b", '"引号"')])
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("组一", [("1", "一"), ("2", "二")]), ("组二", [("3", "三")])]
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")])
    disabled = forms.ChoiceField(choices=[("a", "A")], disabled=True, required=False)


@pytest.mark.parametrize(
    "data",
    [{}, {"plain": "a", "grouped": "2", "many": ["x", "z"]}, {"plain": "nope", "many": ["q"]}],
)
def test_every_select_is_rendered_as_django_renders_it(data):
    ours, django = Choosing(data or None), Choosing(data or None)
    ours.renderer, django.renderer = FormRenderer(), DjangoTemplates()
    for name in Choosing.base_fields:
        attrs = {"class": "form-select", "aria-describedby": "x_error", "required": True}
        mine = ours[name].as_widget(attrs=attrs)
        theirs = django[name].as_widget(attrs=attrs)
        assert mine == theirs
        assert "<option" in mine


def test_the_project_renders_its_forms_with_it():
    renderer = Choosing().renderer  # settings.FORM_RENDERER
    assert isinstance(renderer, FormRenderer)
    template = renderer.get_template("django/forms/widgets/select.html")
    assert template.origin.name.endswith("kernel/widgets/select.html")

"""The forms of the rating devices' pages: register a device, push an occasion to it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DeviceForm(forms.Form):
    point = forms.ModelChoiceField(label=_("服务点"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=50, help_text=_("例如：一号窗口评价器。"))

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points


class PushForm(forms.Form):
    occasion = forms.TypedChoiceField(label=_("推送哪次服务"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, occasions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occasion"].choices = [
            (
                o.pk,
                f"{o.case.number} · {o.on:%Y-%m-%d} {o.get_kind_display()}"
                + (f" · {o.helper.get_full_name() or o.helper.username}" if o.helper else ""),
            )
            for o in occasions
        ]

"""Forms of the staff pages. They only parse input; the rules are in `actions.py`, whose
`StaffError` messages go back on the form through `kernel.forms.add_rule_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.kernel.uploads import MATERIAL_EXTENSIONS, check_material
from bangban.network.forms import SearchForm
from bangban.network.models import Domain, ServicePoint

from .models import Helper


class HelperSearchForm(SearchForm):
    q = forms.CharField(
        label=_("搜索帮办代办员"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("姓名或用户名"), "autocomplete": "off"}
        ),
    )
    point = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    town = forms.ChoiceField(label=_("镇（街道）"), required=False)

    def __init__(self, *args, towns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", _("全部"))] + [(t.pk, t.name) for t in towns]


class HelperForm(forms.Form):
    full_time = forms.BooleanField(label=_("专职"), required=False)
    origin = forms.ChoiceField(label=_("人员来源"), choices=Helper.Origin.choices)
    started_on = forms.DateField(
        label=_("开始从事受理工作日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    left_on = forms.DateField(
        label=_("离岗日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("仍在岗的，请留空。"),
    )
    work_phone = forms.CharField(label=_("工作电话"), max_length=40, required=False)
    domains = forms.ModelMultipleChoiceField(
        label=_("负责领域"),
        queryset=Domain.objects.order_by("position", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_work_phone(self) -> str:
        phone = self.cleaned_data["work_phone"].strip()
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in phone):
            raise forms.ValidationError(_("工作电话含有无效字符。"))
        return phone


RESULT_CHOICES = [("", _("未参加")), ("passed", _("合格")), ("failed", _("不合格"))]


class _ResultsMixin:
    """One select per candidate helper: not attended, passed, failed. Someone already recorded
    as attending keeps a result (pass or fail) and cannot be removed."""

    def _add_results(self, candidates, recorded: dict[int, bool]):
        self.candidates = list(candidates)
        for helper in self.candidates:
            choices = RESULT_CHOICES[1:] if helper.pk in recorded else RESULT_CHOICES
            initial = None
            if helper.pk in recorded:
                initial = "passed" if recorded[helper.pk] else "failed"
            self.fields[f"result_{helper.pk}"] = forms.ChoiceField(
                label=str(helper),
                choices=choices,
                required=helper.pk in recorded,
                initial=initial,
            )

    def result_rows(self):
        return [(helper, self[f"result_{helper.pk}"]) for helper in self.candidates]

    def results(self) -> dict[Helper, bool]:
        chosen = {}
        for helper in self.candidates:
            value = self.cleaned_data.get(f"result_{helper.pk}")
            if value:
                chosen[helper] = value == "passed"
        return chosen


class TrainingForm(_ResultsMixin, forms.Form):
    held_on = forms.DateField(label=_("培训日期"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("培训内容"), max_length=200)
    material = forms.FileField(
        label=_("培训教材"),
        required=False,
        help_text=_("可上传 pdf、doc、docx、ppt、pptx、xls、xlsx、jpg、png 文件，不超过 20 MB。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{e}" for e in MATERIAL_EXTENSIONS)}
        ),
        error_messages={"empty": _("上传的文件是空的。")},
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._add_results(candidates, {})

    def clean_topic(self) -> str:
        topic = self.cleaned_data["topic"].strip()
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in topic):
            raise forms.ValidationError(_("培训内容含有无效字符。"))
        return topic

    def clean_material(self):
        upload = self.cleaned_data.get("material")
        if upload:
            check_material(upload)
        return upload

    def profile_fields(self):
        return [self["held_on"], self["topic"], self["material"]]


class ResultsForm(_ResultsMixin, forms.Form):
    def __init__(self, *args, candidates=(), recorded=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_results(candidates, recorded or {})


class CoverageForm(forms.Form):
    """Points to add to (prefix "add") or remove from (prefix "remove") what an organiser trains
    for, with the reason. `points` is checked against the points offered (of the organiser's county,
    visible to the user); the page lists them itself, so the field never renders its queryset."""

    points = forms.ModelMultipleChoiceField(
        label=_("服务点"),
        queryset=ServicePoint.objects.none(),
        error_messages={
            "required": _("请至少选择一个服务点。"),
            "invalid_choice": _("所选服务点不属于该县或无权访问。"),
            "invalid_pk_value": _("所选服务点不属于该县或无权访问。"),
        },
    )
    note = forms.CharField(
        label=_("更正说明"),
        max_length=200,
        help_text=_("例如：由县局统一组织培训。将记入管理历史。"),
    )

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].queryset = points

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in note):
            raise forms.ValidationError(_("更正说明含有无效字符。"))
        return note


class OrganiserNameForm(forms.Form):
    name = forms.CharField(
        label=_("名称"),
        max_length=100,
        required=False,
        help_text=_("留空则随所属部门、合作单位或镇（街道）的名称变化。"),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
            raise forms.ValidationError(_("名称含有无效字符。"))
        return name

"""The form of the director's mailbox (局长信箱, /mailbox/<county code>/): what a letter says and who
wrote it. It checks the shape of what was sent — lengths, no control characters, a name and a phone
unless anonymous, the honeypot empty; the rules (the phone's form, the point's county, who handles
it) are `actions.receive`'s."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.kernel.schemas import NO_CONTROL
from bangban.network.models import Region, ServicePoint

from .models import Category, Kind

#: NO_CONTROL with line breaks allowed: a letter's content has paragraphs.
LINES = r"^[^\x00-\x09\x0b\x0c\x0e-\x1f\x7f]*$"


def _text(label, max_length: int, *, required=True, widget=None, message=None, regex=NO_CONTROL):
    return forms.RegexField(
        label=label,
        regex=regex,
        max_length=max_length,
        required=required,
        widget=widget,
        error_messages={
            "required": message or _("请填写此项。"),
            "invalid": _("不能含控制字符。"),
            "max_length": _("不能超过 %(limit_value)d 字。"),
        },
    )


def county_points(county: Region):
    """The county's points in use, as the select offers them: directory data only (name)."""
    return ServicePoint.objects.active().filter(county=county).order_by("kind", "name", "pk")


class LetterForm(forms.Form):
    """One letter: its kind and category, title and content, the point it is about (optional), and
    the writer's name and phone — or anonymous, then neither is kept."""

    kind = forms.ChoiceField(
        label=_("诉求类型"),
        choices=[("", _("请选择")), *Kind.choices],
        error_messages={
            "required": _("请选择诉求类型：咨询、求助、投诉、举报或建议。"),
            "invalid_choice": _("请选择诉求类型：咨询、求助、投诉、举报或建议。"),
        },
    )
    category = forms.ChoiceField(
        label=_("问题类别"),
        choices=Category.choices,
        initial=Category.OTHER,
        error_messages={
            "required": _("请选择问题类别。"),
            "invalid_choice": _("请选择问题类别。"),
        },
    )
    title = _text(_("标题"), 100, message=_("请填写标题。"))
    content = _text(
        _("内容"),
        4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        message=_("请填写诉求内容：什么时间、在哪里、遇到了什么问题。"),
        regex=LINES,
    )
    point = forms.ModelChoiceField(
        label=_("涉及的服务点（选填）"),
        queryset=ServicePoint.objects.none(),
        required=False,
        empty_label=_("不清楚或不涉及"),
        error_messages={"invalid_choice": _("请从列表中选择服务点。")},
    )
    anonymous = forms.BooleanField(
        label=_("匿名反映（不留姓名和电话，不接受回复短信）"), required=False
    )
    name = _text(_("姓名"), 50, required=False)
    phone = _text(_("联系电话"), 20, required=False)
    #: A honeypot: hidden from people (`d-none`), filled by robots; a letter with it is refused.
    website = forms.CharField(label=_("网址（请勿填写）"), required=False, max_length=200)

    def __init__(self, *args, county: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = county_points(county)
        self.fields["point"].label_from_instance = lambda point: point.name

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("提交失败，请刷新页面后重新填写。"), code="honeypot")
        if data.get("anonymous"):
            data["name"], data["phone"] = "", ""
            return data
        if not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", _("请填写您的姓名，或选择匿名反映。"))
        if not (data.get("phone") or "").strip() and "phone" not in self.errors:
            self.add_error("phone", _("请填写联系电话，以便答复您；不愿留电话的，请选择匿名反映。"))
        return data

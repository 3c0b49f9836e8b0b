"""The forms of the complaint pages: the list's filter (`ComplaintFilter`), the form that records a
complaint received at a window, by letter or by phone (`RecordForm`), and one form per action a
handler performs from a complaint's page (`ACTION_FORMS`). Forms parse; the actions decide (their
`SupervisionError` messages are put back on these forms' fields)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.network.models import Membership

from . import rules
from .models import Category, Kind, Source
from .rules import EXTENSION_MAX
from .workflow import CLOSED, Step, to_act_on_q


class ComplaintFilter(forms.Form):
    """What the list shows: "what I must act on" (the page's default), everything the user may see,
    or one stage; by source, kind, category, point, warning and the period of receipt."""

    SHOW = [
        ("mine", _("待我处理")),
        ("all", _("全部")),
        ("received", _("待签收")),
        ("handling", _("办理中")),
        ("closed", _("已办结")),
    ]
    WARNINGS = [("", _("全部")), (rules.RED, _("红牌·已超期")), (rules.YELLOW, _("黄牌·临近期限"))]

    show = forms.ChoiceField(label=_("范围"), choices=SHOW, required=False)
    source = forms.ChoiceField(
        label=_("来源"), choices=[("", _("全部")), *Source.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部")), *Kind.choices], required=False
    )
    category = forms.ChoiceField(
        label=_("问题类别"), choices=[("", _("全部")), *Category.choices], required=False
    )
    warning = forms.ChoiceField(label=_("预警"), choices=WARNINGS, required=False)
    point = forms.IntegerField(label=_("涉及服务点"), min_value=1, required=False)
    start = forms.DateField(label=_("受理日期从"), required=False)
    end = forms.DateField(label=_("受理日期至"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data

    def apply(self, queryset, user, today: dt.date):
        """`queryset` (already scoped to the user) narrowed by the valid fields."""
        data = self.cleaned_data if self.is_valid() else {}
        show = data.get("show") or "mine"
        if show == "mine":
            queryset = queryset.filter(to_act_on_q(user))
        elif show == "received":
            queryset = queryset.filter(status=Step.RECEIVED)
        elif show == "handling":
            queryset = queryset.filter(status=Step.HANDLING)
        elif show == "closed":
            queryset = queryset.filter(status__in=CLOSED)
        for name in ("source", "kind", "category"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("warning"):
            queryset = queryset.filter(rules.warning_q(data["warning"], today))
        if data.get("point"):
            queryset = queryset.filter(point_id=data["point"])
        if data.get("start"):
            queryset = queryset.filter(received_on__gte=data["start"])
        if data.get("end"):
            queryset = queryset.filter(received_on__lte=data["end"])
        return queryset


def _text(label, limit: int, rows: int = 3, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": limit}),
    )


def _case_number(required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("办件编号") if required else _("关联办件编号（可选）"),
        max_length=40,
        required=required,
        help_text=_("台账上的办件编号；只能找到您可以查看的办件。"),
    )


def people_at(point_id) -> forms.models.QuerySet:
    """The people serving at the point `point_id` (any membership bound to it), for the pickers."""
    users = get_user_model().objects.filter(is_active=True)
    if not point_id:
        return users.none()
    ids = Membership.objects.filter(point_id=point_id).values("user_id")
    return users.filter(pk__in=ids).order_by("last_name", "first_name", "username")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


def _chosen_point(form: forms.Form, name: str = "point"):
    """The point chosen on a bound form (its raw value), else the form's initial one."""
    if form.is_bound:
        value = form.data.get(form.add_prefix(name))
        return value if value and str(value).isdigit() else None
    return form.initial.get(name)


class RecordForm(forms.Form):
    """A complaint received at a window, by letter or by phone, recorded by the bureau or a town
    administrator; the helper picker lists the people of the chosen point (chosen first, then
    "列出该服务点人员": no script needed)."""

    county = forms.ModelChoiceField(label=_("县"), queryset=None, empty_label=None)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.WINDOW)
    ticket_no = forms.CharField(
        label=_("工单编号（12345 工单必填）"), max_length=64, required=False
    )
    received_on = forms.DateField(
        label=_("受理日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.COMPLAINT)
    category = forms.ChoiceField(
        label=_("问题类别"), choices=Category.choices, initial=Category.OTHER
    )
    title = forms.CharField(label=_("标题"), max_length=100)
    content = _text(_("诉求内容"), 4000, rows=5)
    anonymous = forms.BooleanField(label=_("匿名（不留姓名和电话）"), required=False)
    name = forms.CharField(label=_("诉求人姓名（可选）"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话（可选）"), max_length=30, required=False)
    point = forms.ModelChoiceField(
        label=_("涉及服务点"), queryset=None, required=False, empty_label=_("（未知）")
    )
    helper = PersonChoice(
        label=_("涉及人员（先选服务点）"), queryset=None, required=False, empty_label=_("（未知）")
    )
    case = _case_number(required=False)

    def __init__(self, *args, counties, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["point"].queryset = points.order_by("name")
        self.fields["helper"].queryset = people_at(_chosen_point(self))
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())
            first = counties.first()
            if first is not None:
                self.initial.setdefault("county", first.pk)


class SignForm(forms.Form):
    """签收 takes nothing but the button."""


class LinkForm(forms.Form):
    point = forms.ModelChoiceField(
        label=_("涉及服务点"), queryset=None, required=False, empty_label=_("（不变）")
    )
    helper = PersonChoice(
        label=_("涉及人员（所选服务点的人员）"),
        queryset=None,
        required=False,
        empty_label=_("（不变）"),
    )
    case = _case_number(required=False)

    def __init__(self, *args, points, point_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points.order_by("name")
        self.fields["helper"].queryset = people_at(_chosen_point(self) or point_id)


class ReturnForm(forms.Form):
    reason = _text(_("退回理由（为何不属于本单位办理）"), 500)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(
        label=_("延期工作日（1 至 %(n)d 天）") % {"n": EXTENSION_MAX},
        min_value=1,
        max_value=EXTENSION_MAX,
    )
    reason = _text(_("延期理由"), 500)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准延期")), ("refuse", _("不予延期"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("审批意见（可选）"), 500, required=False)


class ToCaseForm(forms.Form):
    case = _case_number(required=True)


class AnswerForm(forms.Form):
    text = _text(_("答复内容"), 2000, rows=4)
    upheld = forms.ChoiceField(
        label=_("情况是否属实（投诉、举报以整改核实为准）"),
        choices=[("", _("不适用")), ("yes", _("属实")), ("no", _("不属实"))],
        required=False,
    )


#: The page's form of each action; approving and refusing an extension share one.
ACTION_FORMS = {
    "sign": SignForm,
    "link": LinkForm,
    "return": ReturnForm,
    "request_extension": ExtensionForm,
    "decide_extension": DecideForm,
    "to_case": ToCaseForm,
    "answer": AnswerForm,
}
FORM_OF_ACTION = {
    "sign": "sign",
    "link": "link",
    "return": "return",
    "request_extension": "request_extension",
    "approve_extension": "decide_extension",
    "refuse_extension": "decide_extension",
    "to_case": "to_case",
    "answer": "answer",
}
#: What the page offers, in order: the handler's actions and the bureau's decision of an extension.
PAGE_ACTIONS = (
    "sign",
    "link",
    "return",
    "request_extension",
    "approve_extension",
    "refuse_extension",
    "to_case",
    "answer",
)

__all__ = [
    "ACTION_FORMS",
    "FORM_OF_ACTION",
    "PAGE_ACTIONS",
    "ComplaintFilter",
    "RecordForm",
]

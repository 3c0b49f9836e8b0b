"""The forms of the rectification and appeal pages: the list's one filter (`RectificationFilter`,
which the API uses too), and one form per action a handler performs (`ACTION_FORMS`, keyed by the
table's action), the appeal's and its decision's. Forms parse; the actions decide (their
`FeedbackError` messages are put back on these forms' fields)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.kernel.uploads import SCAN_EXTENSIONS
from bangban.network import access
from bangban.network.models import ServicePoint

from . import warnings
from .models import Appeal, Rectification
from .workflow import Step, to_act_on_q

YES_NO = [("yes", _("是")), ("no", _("否"))]


class RectificationFilter(forms.Form):
    """What the list shows: "what I must act on" (the page's default) or everything the user may
    see, by state, warning, town, point and the period of the review."""

    SHOW = [("mine", _("待我处理")), ("all", _("全部"))]
    WARNINGS = [
        ("", _("全部")),
        (warnings.RED, _("红牌·已超期")),
        (warnings.YELLOW, _("黄牌·临近期限")),
    ]

    show = forms.ChoiceField(label=_("范围"), choices=SHOW, required=False)
    state = forms.MultipleChoiceField(label=_("状态"), choices=Step.choices, required=False)
    warning = forms.ChoiceField(label=_("预警"), choices=WARNINGS, required=False)
    town = forms.IntegerField(label=_("镇（街道）"), min_value=1, required=False)
    point = forms.IntegerField(label=_("服务点"), min_value=1, required=False)
    start = forms.DateField(label=_("开始日期从"), required=False)
    end = forms.DateField(label=_("开始日期至"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data

    def apply(self, queryset, user, today: dt.date, default_show: str = "all"):
        """`queryset` (already scoped to the user) narrowed by the valid fields."""
        data = self.cleaned_data if self.is_valid() else {}
        show = data.get("show") or default_show
        if show == "mine":
            queryset = queryset.filter(to_act_on_q(user))
        if data.get("state"):
            queryset = queryset.filter(status__in=data["state"])
        if data.get("warning"):
            queryset = queryset.filter(warnings.warning_q(data["warning"], today))
        if data.get("town"):
            town = _visible_point(user, data["town"])
            prefix = town.subtree_prefix if town else "-"
            queryset = queryset.filter(
                Q(point_id=data["town"]) | Q(point__ancestry__startswith=prefix)
            )
        if data.get("point"):
            queryset = queryset.filter(point_id=data["point"])
        if data.get("start"):
            queryset = queryset.filter(opened_on__gte=data["start"])
        if data.get("end"):
            queryset = queryset.filter(opened_on__lte=data["end"])
        return queryset


class RectificationPageFilter(RectificationFilter):
    """The list page's filter: the API's, and what the rectification is of (a bad review, a
    complaint, an inspection's finding)."""

    subject = forms.ChoiceField(
        label=_("整改来源"),
        choices=[("", _("全部")), *Rectification.Subject.choices],
        required=False,
    )

    def apply(self, queryset, user, today: dt.date, default_show: str = "all"):
        queryset = super().apply(queryset, user, today, default_show)
        subject = self.cleaned_data.get("subject") if self.is_valid() else ""
        return queryset.filter(subject=subject) if subject else queryset


def _visible_point(user, pk: int) -> ServicePoint | None:
    return access.points_for(user, "view").filter(pk=pk).first()


def town_options(user) -> list[tuple[int, str]]:
    """The town centres the user sees, for the filter's picker."""
    towns = access.points_for(user, "view").filter(kind=ServicePoint.Kind.TOWN_CENTRE)
    return list(towns.order_by("name").values_list("pk", "name")[:300])


# --- The handler's forms ----------------------------------------------------------------------------


def _text(label, limit: int, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": limit}),
    )


def _evidence() -> forms.FileField:
    return forms.FileField(
        label=_("佐证材料（可选）"),
        required=False,
        help_text=_("PDF、JPG 或 PNG，不超过 20 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SCAN_EXTENSIONS)}),
    )


class CallForm(forms.Form):
    reached = forms.ChoiceField(
        label=_("是否接通"),
        choices=[("yes", _("已接通")), ("no", _("未接通"))],
        widget=forms.RadioSelect,
    )
    record = _text(_("回访记录"), 500)


class VerifyForm(forms.Form):
    is_true = forms.ChoiceField(label=_("情况是否属实"), choices=YES_NO, widget=forms.RadioSelect)
    is_reasonable = forms.ChoiceField(
        label=_("诉求是否合理"), choices=YES_NO, widget=forms.RadioSelect
    )
    is_malicious = forms.ChoiceField(
        label=_("是否疑似恶意差评或恶意投诉"), choices=YES_NO, widget=forms.RadioSelect
    )
    note = _text(_("核实情况"), 500)


class FixForm(forms.Form):
    measures = _text(_("采取的措施"), 1000)
    evidence = _evidence()


class RectifyForm(forms.Form):
    measures = _text(_("整改措施"), 1000)
    due = forms.DateField(
        label=_("整改期限（可选）"),
        required=False,
        help_text=_("不填则按本县设置（默认自差评之日起 5 个工作日）。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ExplainForm(forms.Form):
    explanation = _text(_("解释说明（无法律依据的诉求）"), 1000)


class FinishForm(forms.Form):
    note = _text(_("整改完成情况"), 500)
    evidence = _evidence()


class ReplyForm(forms.Form):
    text = _text(_("答复内容（将以短信发给实名评价人）"), 300)


#: The form of each action a handler performs from the page (`workflow.HANDLER_ACTIONS`; the two
#: calls share one form, as do the two replies).
ACTION_FORMS = {
    "call": CallForm,
    "verify": VerifyForm,
    "fix": FixForm,
    "rectify": RectifyForm,
    "explain": ExplainForm,
    "finish": FinishForm,
    "reply": ReplyForm,
}
#: The page's form of each action of the table.
FORM_OF_ACTION = {
    "call_attempt": "call",
    "call_back": "call",
    "verify": "verify",
    "fix": "fix",
    "rectify": "rectify",
    "explain": "explain",
    "finish": "finish",
    "reply": "reply",
    "reply_final": "reply",
}


def today() -> dt.date:
    return timezone.localdate()


# --- Appeals ----------------------------------------------------------------------------------------


class AppealForm(forms.Form):
    reason = _text(_("申诉理由"), 1000, rows=4)
    evidence = _evidence()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("复核结果"),
        choices=[
            (Appeal.Decision.UPHELD, Appeal.Decision.UPHELD.label),
            (Appeal.Decision.OVERTURNED, Appeal.Decision.OVERTURNED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = _text(_("复核意见"), 500)

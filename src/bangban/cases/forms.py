"""Forms of the ledger's pages: the registration form and one form per action on a case.

They only parse input; the ledger's rules are in `actions.py`, whose `CaseError` messages go back next
to the fields they name through `add_case_errors` — the page, the API and the import judge a case the
same way. Fields the action judges are optional here, so every problem is reported at once."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.catalog.models import Mode
from bangban.kernel.forms import add_rule_errors as add_case_errors  # noqa: F401 - its old name

from .identifiers import DocumentType
from .models import Applicant, Case, CaseMaterial, NoticeLine
from .workflow import State

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, limit: int, required=False, textarea=False, **attrs) -> forms.CharField:
    attrs = {"maxlength": limit, **attrs}
    widget = forms.Textarea(attrs={"rows": 2, **attrs}) if textarea else forms.TextInput(attrs)
    # The browser stops at the limit; the action reports anything longer with its own message.
    return forms.CharField(label=label, required=required, widget=widget, strip=True)


def _date(label, required=False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE)


def error_summary(form: forms.Form, anchors: dict[str, str] | None = None) -> list[dict]:
    """The errors of a bound form for the summary at its top, in the form's order: {"href": the
    field to go to (`anchors` names those a form draws its own way), "label", "message"}; the
    errors of no field have no href."""
    anchors = anchors or {}
    rows = [{"href": "", "label": "", "message": m} for m in form.non_field_errors()]
    for name, field in form.fields.items():
        bound = form[name]
        if not bound.errors:
            continue
        anchor = anchors.get(name)
        if anchor is None:
            anchor = bound.auto_id
            if isinstance(field.widget, forms.RadioSelect):
                anchor = f"{anchor}_0"
        for message in bound.errors:
            rows.append({"href": f"#{anchor}", "label": field.label, "message": message})
    return rows


# --- Registration -----------------------------------------------------------------------------------


class RegistrationForm(forms.Form):
    """登记: where, which item, who, how. The point, item and responsible helper are chosen from the
    lists the view passes; anything else is judged by `actions.register_case`."""

    point = forms.TypedChoiceField(label=_("登记服务点"), coerce=int, required=False)
    item = forms.IntegerField(label=_("事项"), required=False, widget=forms.HiddenInput)
    item_q = forms.CharField(
        label=_("搜索事项"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("输入几个字，如“医保”“参保”“低保”"),
                "autocomplete": "off",
            }
        ),
    )
    mode = forms.ChoiceField(
        label=_("服务方式"), required=False, choices=Mode.choices, widget=forms.RadioSelect
    )
    applicant_kind = forms.ChoiceField(
        label=_("申请人类别"),
        choices=Applicant.Kind.choices,
        initial=Applicant.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    name = _text(_("姓名或名称"), 100, autocomplete="off")
    document_type = forms.ChoiceField(
        label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID
    )
    number = _text(
        _("证件号码"),
        40,
        autocomplete="off",
        spellcheck="false",
        inputmode="text",
        **{"data-id-number": ""},
    )
    birth_on = _date(_("出生日期"))
    phone = _text(_("申请人电话"), 30, type="tel", autocomplete="off")
    disabled = forms.BooleanField(label=_("残疾人"), required=False)
    needs = _text(_("其他需要帮助的情况"), 200)
    credit_code = _text(
        _("统一社会信用代码"),
        30,
        autocomplete="off",
        spellcheck="false",
        **{"data-credit-code": ""},
    )
    legal_representative = _text(_("法定代表人"), 50)
    contact_name = _text(_("联系人"), 50)
    kind = forms.ChoiceField(
        label=_("帮办或代办"),
        choices=Case.Kind.choices,
        initial=Case.Kind.ASSISTED,
        widget=forms.RadioSelect,
    )
    principal = _text(_("委托人"), 100)
    auth_scope = _text(_("委托事项和权限"), 500, textarea=True)
    authorised_on = _date(_("委托日期"))
    valid_until = _date(_("委托期限至"))
    scan = forms.FileField(
        label=_("委托书扫描件"),
        required=False,
        help_text=_("签字的委托书，PDF、JPG 或 PNG，不超过 20 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"), choices=Case.Channel.choices, initial=Case.Channel.WALK_IN
    )
    received_on = _date(_("收到材料日期"), required=True)
    responsible = forms.TypedChoiceField(label=_("首问负责人"), coerce=int)
    contact_phone = _text(
        _("接收进度短信的电话"),
        30,
        type="tel",
        autocomplete="off",
    )

    def __init__(self, *args, points=(), helpers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [(p.pk, p.name) for p in points]
        self.fields["responsible"].choices = [(u.pk, label) for u, label in helpers]
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["contact_phone"].help_text = _("不填则用申请人电话；代办时可填代办人电话。")
        self.fields["birth_on"].help_text = _("居民身份证号码会自动带出，其他证件请填写。")

    @property
    def is_organisation(self) -> bool:
        value = self["applicant_kind"].value()
        return value == Applicant.Kind.ORGANISATION

    @property
    def is_proxy(self) -> bool:
        return self["kind"].value() == Case.Kind.PROXY

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("收到材料日期不能晚于今天。"))
        return day

    def clean(self):
        data = super().clean()
        proxy = data.get("kind") == Case.Kind.PROXY
        if proxy and not data.get("authorised_on") and "authorised_on" not in self.errors:
            self.add_error("authorised_on", _("请填写委托日期。"))
        return data

    def error_names(self) -> dict[str, str]:
        """The action's keys → this form's fields."""
        return {
            "number": "credit_code" if self.is_organisation else "number",
            "authorisation": "scan",
            "authorisation.principal": "principal",
            "authorisation.scope": "auth_scope",
            "authorisation.authorised_on": "authorised_on",
            "authorisation.valid_until": "valid_until",
            "authorisation.scan": "scan",
        }


# --- Actions on a case ------------------------------------------------------------------------------


class _OnForm(forms.Form):
    on = _date(_("日期"))

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.fields["on"].help_text = _("默认今天；不能晚于今天。")


class AcceptForm(_OnForm):
    pass


class ResumeForm(_OnForm):
    pass


class CompleteForm(_OnForm):
    pass


class SuspendForm(_OnForm):
    reason = _text(_("中止原因"), 200, required=False, textarea=True)
    field_order = ["reason", "on"]


class RefuseForm(forms.Form):
    """不予受理: the competent department's decision, as the helper records it — which department
    decided (the view passes the county's departments; the item's is preselected) and its document
    number (文号), the reason and its legal basis."""

    department = forms.TypedChoiceField(
        label=_("作出决定的部门"), coerce=int, required=False, empty_value=None
    )
    document_number = _text(_("决定文号"), 50)
    reason = _text(_("不予受理的理由"), 500, textarea=True)
    legal_basis = _text(_("法律依据"), 200)

    def __init__(self, *args, case=None, departments=(), **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        if case is not None:
            self.fields["department"].initial = case.revision.department_id
        self.fields["document_number"].help_text = _(
            "部门作出不予受理决定的文号，如“沂医保不受字〔2026〕3号”。"
        )


class WithdrawForm(forms.Form):
    reason = _text(_("撤回原因"), 200, textarea=True)

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(
        label=_("延长工作日"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 60, "inputmode": "numeric"}),
    )
    reason = _text(_("延长原因"), 200, textarea=True)
    approver = _text(_("批准人"), 50)

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["working_days"].error_messages["invalid"] = _("请填写整数。")


class ProgressForm(forms.Form):
    text = _text(_("进度内容"), 300, textarea=True)
    tell_applicant = forms.BooleanField(label=_("短信告知申请人"), required=False, initial=True)

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)


class HomeVisitForm(_OnForm):
    """上门服务: the day of the visit and what was done."""

    note = _text(_("服务内容"), 300, textarea=True)
    field_order = ["on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = _("上门日期")


class TransferForm(forms.Form):
    """转办: the receiving point from the linkage directory (the view passes the rows found), an
    optional named helper serving there, and the reason."""

    to_point = forms.TypedChoiceField(
        label=_("接收服务点"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    to_helper = forms.TypedChoiceField(
        label=_("指定接收人（可不选）"), coerce=int, required=False, empty_value=None
    )
    reason = _text(_("转办原因"), 200, textarea=True)

    def __init__(self, *args, case=None, points=(), helpers=(), **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["to_point"].choices = [(p["id"], p["name"]) for p in points]
        self.fields["to_helper"].choices = [("", _("不指定"))] + [
            (h["user_id"], h["label"]) for h in helpers
        ]
        self.point_rows = list(points)
        groups: dict[int, dict] = {}
        for h in helpers:
            group = groups.setdefault(
                h["point_id"], {"point_id": h["point_id"], "point": h["point"], "helpers": []}
            )
            group["helpers"].append(h)
        #: The helpers by their point, as the page groups them (and filters them by the point
        #: chosen); the action checks again that the one named serves at the receiving point.
        self.helper_groups = list(groups.values())


class MaterialsForm(forms.Form):
    """收取材料: a status for each line of the checklist, one field per material, and the day those
    set to 已收取 were received (default today)."""

    received_on = forms.DateField(
        label=_("收取日期"),
        widget=DATE,
        required=False,
        error_messages={"invalid": _("请填写正确的日期。")},
    )

    def __init__(self, *args, case=None, lines=(), **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["received_on"].help_text = _(
            "本次标为“已收取”的材料的收取日期，默认今天；受理日期不能早于必需材料收齐的日期。"
        )
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"status_{line.material_id}"] = forms.ChoiceField(
                label=line.material.name,
                choices=CaseMaterial.Status.choices,
                initial=line.status,
            )

        if case is None or case.status not in (State.IN_PROGRESS, State.SUSPENDED):
            self.fields["deferred_until"] = forms.DateField(
                label=_("容缺材料补交期限"),
                widget=DATE,
                required=False,
                error_messages={"invalid": _("请填写正确的日期。")},
            )
            self.fields["commitment"] = forms.BooleanField(
                label=_("申请人已签署容缺后补书面承诺"), required=False
            )

    def rows(self):
        return [(line, self[f"status_{line.material_id}"]) for line in self.lines]

    def deferral(self) -> dict:
        """What `set_material_status` needs besides the statuses: the day of receipt, and for a
        容缺后补 material its day and commitment (nothing after acceptance)."""
        return {
            "received_on": self.cleaned_data.get("received_on"),
            "deferred_until": self.cleaned_data.get("deferred_until"),
            "commitment": bool(self.cleaned_data.get("commitment")),
        }

    def statuses(self) -> dict[int, str]:
        return {
            line.material_id: self.cleaned_data[f"status_{line.material_id}"] for line in self.lines
        }

    def error_names(self) -> dict[str, str]:
        return {
            **{
                f"materials.{line.material_id}": f"status_{line.material_id}" for line in self.lines
            },
            "deferred_until": "deferred_until",
            "commitment": "commitment",
            "received_on": "received_on",
        }


class NoticeForm(forms.Form):
    """一次性告知: tick each missing or wrong material of the checklist, with the reason and a note;
    the day to supply them by; and, for a second notice, why (重复告知)."""

    supply_by = forms.DateField(
        label=_("补正期限"),
        widget=DATE,
        error_messages={"required": _("请填写补正期限。"), "invalid": _("请填写正确的日期。")},
    )
    repeat_reason = _text(_("再次告知的原因"), 200, textarea=True)

    def __init__(self, *args, case=None, lines=(), repeated=False, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.repeated = repeated
        if not repeated:
            del self.fields["repeat_reason"]
        else:
            self.fields["repeat_reason"].help_text = _(
                "本办件已告知过一次，再次告知将记为重复告知。"
            )
        for line in self.lines:
            outstanding = line.status in (CaseMaterial.Status.MISSING, CaseMaterial.Status.WRONG)
            self.fields[f"line_{line.pk}"] = forms.BooleanField(
                label=line.material.name, required=False, initial=outstanding
            )
            self.fields[f"reason_{line.pk}"] = forms.ChoiceField(
                label=_("原因"),
                required=False,
                choices=NoticeLine.Reason.choices,
                initial=NoticeLine.Reason.WRONG
                if line.status == CaseMaterial.Status.WRONG
                else NoticeLine.Reason.MISSING,
            )
            self.fields[f"note_{line.pk}"] = _text(_("说明"), 200)

    def rows(self):
        return [
            (line, self[f"line_{line.pk}"], self[f"reason_{line.pk}"], self[f"note_{line.pk}"])
            for line in self.lines
        ]

    def chosen(self) -> list[tuple[int, str, str]]:
        """(line id, reason, note) of the ticked lines, in checklist order."""
        data = self.cleaned_data
        return [
            (line.pk, data.get(f"reason_{line.pk}") or "", data.get(f"note_{line.pk}") or "")
            for line in self.lines
            if data.get(f"line_{line.pk}")
        ]

    def error_names(self) -> dict[str, str]:
        names = {}
        for n, (line_id, _reason, _note) in enumerate(self.chosen(), start=1):
            names[f"items.{n}.reason"] = f"reason_{line_id}"
            names[f"items.{n}.note"] = f"note_{line_id}"
            names[f"items.{n}.line_id"] = f"line_{line_id}"
        return names


#: The form of each action on the case page.
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "notice": NoticeForm,
    "materials_received": MaterialsForm,
    "accept": AcceptForm,
    "refuse": RefuseForm,
    "suspend": SuspendForm,
    "resume": ResumeForm,
    "extend": ExtendForm,
    "transfer": TransferForm,
    "progress": ProgressForm,
    "home_visit": HomeVisitForm,
    "complete": CompleteForm,
    "withdraw": WithdrawForm,
}


# --- The transfers inbox ----------------------------------------------------------------------------


class AcceptTransferForm(forms.Form):
    """接收转办: who handles the case — a qualified helper of the receiving point (the view passes
    them); blank leaves it to the action (the helper the transfer named, or whoever accepts)."""

    handling_helper = forms.TypedChoiceField(
        label=_("承办人"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, helpers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handling_helper"].choices = [("", _("请选择"))] + [
            (h["user_id"], h["label"]) for h in helpers
        ]


class DeclineForm(forms.Form):
    reason = _text(_("退回原因"), 200, textarea=True)
    suggested_point = forms.TypedChoiceField(
        label=_("建议转至"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_point"].choices = [("", _("不建议"))] + [
            (p.pk, p.name) for p in points
        ]

"""Forms of the catalog pages. They only parse input; the catalog's rules are in `actions.py`
(`check_item`), whose `CatalogError` messages go back next to the fields they name through
`add_catalog_errors`: the page, the API and the Excel import judge an item the same way."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.kernel.uploads import MATERIAL_EXTENSIONS, check_material
from bangban.network.forms import SearchForm, UnitChoiceField
from bangban.network.models import Department, Domain, Region

from .actions import (
    KEYWORDS_LIMIT,
    MATERIAL_TEXT_LIMITS,
    MAX_LIMIT,
    TEXT_LIMITS,
    CatalogError,
    ItemData,
)
from .actions import MaterialData as MaterialValues
from .models import ItemRevision, Level, LimitUnit, Material, Mode, split_keywords

ALL = [("", _("全部"))]


# --- The list's search and filters -----------------------------------------------------------------


class ItemSearchForm(SearchForm):
    """Search text and filters of the item list. A bad value of one filter is reported and that
    filter ignored; the others still apply."""

    q = forms.CharField(
        label=_("搜索事项"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("名称、俗称（如低保）、部门、领域或编码"),
                "autocomplete": "off",
            }
        ),
    )
    domain = forms.ChoiceField(label=_("所属领域"), required=False)
    mode = forms.ChoiceField(label=_("办理方式"), required=False, choices=ALL + Mode.choices)
    level = forms.ChoiceField(label=_("办理层级"), required=False, choices=ALL + Level.choices)
    county = forms.ChoiceField(label=_("所属县"), required=False)
    inactive = forms.BooleanField(label=_("显示已停用"), required=False)

    def __init__(self, *args, domains=(), counties=(), may_edit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = {str(d.pk): d for d in domains}
        self.fields["domain"].choices = ALL + [(str(d.pk), d.name) for d in domains]
        self.counties = {str(c.pk): c for c in counties}
        if len(self.counties) > 1:
            self.fields["county"].choices = ALL + [(str(c.pk), c.name) for c in counties]
        else:
            del self.fields["county"]
        if not may_edit:
            del self.fields["inactive"]

    def filters(self) -> dict:
        """The valid filters: q (text), domain (Domain), mode, level, county (Region), inactive."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "domain": self.domains.get(data.get("domain") or ""),
            "mode": data.get("mode") or "",
            "level": data.get("level") or "",
            "county": self.counties.get(data.get("county") or ""),
            "inactive": bool(data.get("inactive")),
        }


# --- An item and its materials ----------------------------------------------------------------------


def _text(
    label, name: str | None = None, limit: int | None = None, required=False, **kwargs
) -> forms.CharField:
    """A text field whose length and characters the action judges (with everything else about the
    item, so every problem is reported at once); the browser stops at the length."""
    attrs = {"maxlength": limit or TEXT_LIMITS.get(name or "", 200)}
    attrs.update(kwargs.pop("attrs", {}))
    widget = kwargs.pop("widget", forms.TextInput)
    return forms.CharField(label=label, required=required, widget=widget(attrs=attrs), **kwargs)


def _limit_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_LIMIT,
        help_text=_("0 表示即办（当场办结）。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ItemForm(forms.Form):
    implementation_code = _text(
        _("实施编码"),
        limit=36,
        required=True,
        help_text=_("本县的实施编码，最多 36 位数字和大写字母；建立后不能修改。"),
        attrs={"autocapitalize": "characters", "spellcheck": "false"},
    )
    basic_code = _text(
        _("基本编码"),
        "basic_code",
        required=True,
        help_text=_("12 位数字和大写字母。"),
        attrs={"autocapitalize": "characters", "spellcheck": "false"},
    )
    version = _text(_("版本号"), "version")
    name = _text(_("事项名称"), "name", required=True)
    keywords = _text(
        _("俗称（关键词）"),
        # Room for the separators typed between the words; the action judges the words.
        limit=KEYWORDS_LIMIT * 2,
        help_text=_(
            "群众在窗口的说法，如“低保”“社保卡”，搜索事项时能找到；多个用顿号、逗号或空格分隔。"
        ),
    )
    type_code = _text(_("事项类型代码"), "type_code", required=True)
    type_name = _text(
        _("事项类型"), "type_name", required=True, help_text=_("如：行政许可、公共服务。")
    )
    type_system = _text(
        _("类型代码体系"), "type_system", required=True, help_text=_("类型代码所依据的系统或标准。")
    )
    department = UnitChoiceField(label=_("实施部门"), queryset=Department.objects.none())
    domains = forms.ModelMultipleChoiceField(
        label=_("所属领域"),
        queryset=Domain.objects.order_by("position", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    levels = forms.MultipleChoiceField(
        label=_("办理层级"),
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modes = forms.MultipleChoiceField(
        label=_("办理方式"),
        choices=Mode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    legal_limit = _limit_field(_("法定办结时限"))
    legal_limit_unit = forms.ChoiceField(label=_("法定时限单位"), choices=LimitUnit.choices)
    promised_limit = _limit_field(_("承诺办结时限"))
    promised_limit_unit = forms.ChoiceField(label=_("承诺时限单位"), choices=LimitUnit.choices)
    fee_charged = forms.BooleanField(
        label=_("事项本身收费（帮办代办服务始终免费）"), required=False
    )
    fee_note = _text(
        _("收费标准及依据"),
        "fee_note",
        widget=forms.Textarea,
        attrs={"rows": 2},
        help_text=_("事项收费时必须填写。"),
    )
    guide = _text(
        _("办事指南"),
        limit=20000,
        widget=forms.Textarea,
        attrs={"rows": 6},
        help_text=_("办理条件、流程、地点等，可以分段。"),
    )
    note = _text(
        _("修订说明"),
        limit=200,
        help_text=_("说明这次改了什么、依据什么（选填）。"),
    )

    def __init__(self, *args, county: Region, new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county
        # Departments in service, and the item's own even if deactivated since (it keeps its
        # items, which stay editable; `actions.check_department_in_service`).
        in_service = Q(active=True)
        if self.initial.get("department"):
            in_service |= Q(pk=self.initial["department"])
        self.fields["department"].queryset = Department.objects.filter(
            in_service, county=county
        ).order_by("name")
        if new:
            del self.fields["note"]
        else:
            del self.fields["implementation_code"]

    @staticmethod
    def initial_of(revision: ItemRevision) -> dict:
        data = ItemData.of(revision)
        initial = {
            name: getattr(data, name)
            for name in (
                "basic_code",
                "version",
                "name",
                "type_code",
                "type_name",
                "type_system",
                "legal_limit",
                "legal_limit_unit",
                "promised_limit",
                "promised_limit_unit",
                "fee_charged",
                "fee_note",
                "guide",
            )
        }
        initial["keywords"] = "、".join(data.keywords)
        initial["department"] = revision.department_id
        initial["domains"] = [d.pk for d in data.domains]
        initial["levels"] = sorted(data.levels)
        initial["modes"] = sorted(data.modes)
        return initial

    def item_data(self) -> ItemData:
        data = self.cleaned_data
        return ItemData(
            basic_code=data["basic_code"],
            version=data["version"],
            name=data["name"],
            type_code=data["type_code"],
            type_name=data["type_name"],
            type_system=data["type_system"],
            department=data["department"],
            domains=frozenset(data["domains"]),
            levels=frozenset(data["levels"]),
            modes=frozenset(data["modes"]),
            legal_limit=data["legal_limit"],
            legal_limit_unit=data["legal_limit_unit"],
            promised_limit=data["promised_limit"],
            promised_limit_unit=data["promised_limit_unit"],
            fee_charged=data["fee_charged"],
            fee_note=data["fee_note"],
            guide=data["guide"],
            keywords=split_keywords(data["keywords"]),
        )


#: The same types and size as training material (kernel.uploads.check_material judges both).
FILE_HELP = _("可上传 pdf、doc、docx、ppt、pptx、xls、xlsx、jpg、png 文件，不超过 20 MB。")
FILE_ACCEPT = ",".join(f".{e}" for e in MATERIAL_EXTENSIONS)


def _file_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        validators=[check_material],
        widget=forms.FileInput(attrs={"accept": FILE_ACCEPT}),
        error_messages={"empty": _("上传的文件是空的。")},
    )


class MaterialForm(forms.Form):
    name = _text(_("材料名称"), limit=MATERIAL_TEXT_LIMITS["name"], required=True)
    kind = forms.ChoiceField(
        label=_("材料类型"), choices=Material.Kind.choices, initial=Material.Kind.OTHER
    )
    form = forms.ChoiceField(
        label=_("材料形式"), choices=Material.Form.choices, initial=Material.Form.PAPER
    )
    necessity = forms.ChoiceField(
        label=_("必要性"),
        choices=Material.Necessity.choices,
        initial=Material.Necessity.REQUIRED,
    )
    source = forms.ChoiceField(
        label=_("来源渠道"), choices=Material.Source.choices, initial=Material.Source.APPLICANT
    )
    originals = forms.IntegerField(
        label=_("原件份数"), min_value=0, max_value=99, initial=0, widget=forms.NumberInput
    )
    copies = forms.IntegerField(
        label=_("复印件份数"), min_value=0, max_value=99, initial=0, widget=forms.NumberInput
    )
    standard = _text(_("受理标准"), limit=MATERIAL_TEXT_LIMITS["standard"])
    notes = _text(_("备注"), limit=MATERIAL_TEXT_LIMITS["notes"])
    blank_form = _file_field(_("空白表格"))
    clear_blank_form = forms.BooleanField(label=_("删除现有空白表格"), required=False)
    sample = _file_field(_("示例样表"))
    clear_sample = forms.BooleanField(label=_("删除现有示例样表"), required=False)
    #: The material of the current revision this row was filled from (its files carry over).
    existing = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BaseMaterialFormSet(forms.BaseFormSet):
    """The materials of an item in their order. `existing` are the current revision's materials
    (by id): a row filled from one keeps its files unless a new one is uploaded or it is cleared,
    even when the material is renamed."""

    def __init__(self, *args, existing: dict[int, Material] | None = None, **kwargs):
        self.existing = existing or {}
        super().__init__(*args, **kwargs)
        self.submitted: list[forms.Form] = []

    def source_of(self, form) -> Material | None:
        value = form["existing"].value()
        try:
            return self.existing.get(int(value)) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def material_data(self) -> list[MaterialValues]:
        """The materials to record, in their order (deleted and untouched empty rows left out);
        `submitted` keeps the form of each, so an action's "materials.<n>.<field>" finds it."""
        self.submitted = list(self.ordered_forms)
        return [self._values(form) for form in self.submitted]

    def _values(self, form) -> MaterialValues:
        data = form.cleaned_data
        source = self.source_of(form)
        files = {}
        for name in ("blank_form", "sample"):
            upload = data.get(name)
            if upload:
                files[name] = upload
            elif data.get(f"clear_{name}") or source is None:
                files[name] = ""
            else:
                files[name] = getattr(source, name).name or ""
        return MaterialValues(
            name=data.get("name") or "",
            kind=data["kind"],
            form=data["form"],
            necessity=data["necessity"],
            source=data["source"],
            originals=data["originals"],
            copies=data["copies"],
            standard=data.get("standard") or "",
            notes=data.get("notes") or "",
            **files,
        )

    @staticmethod
    def initial_of(materials) -> list[dict]:
        return [
            {
                "name": m.name,
                "kind": m.kind,
                "form": m.form,
                "necessity": m.necessity,
                "source": m.source,
                "originals": m.originals,
                "copies": m.copies,
                "standard": m.standard,
                "notes": m.notes,
                "existing": m.pk,
            }
            for m in materials
        ]


MaterialFormSet = forms.formset_factory(
    MaterialForm,
    formset=BaseMaterialFormSet,
    extra=3,
    can_order=True,
    can_delete=True,
    max_num=100,
    validate_max=True,
)


def add_catalog_errors(error: CatalogError, form: forms.Form, formset: BaseMaterialFormSet):
    """Put an action's Chinese messages next to the fields they name: the item's on the form, a
    material's ("materials.<n>.<field>", n from 1) on that material's row."""
    for key, messages in error.errors.items():
        target, field = form, key
        if key.startswith("materials."):
            _prefix, number, field = key.split(".", 2)
            index = int(number) - 1
            if 0 <= index < len(formset.submitted):
                target = formset.submitted[index]
            else:
                field = None
        for message in messages:
            target.add_error(field if field in target.fields else None, message)

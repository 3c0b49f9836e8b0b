"""The forms of a checklist kept whole on one page, without JavaScript: its name (and county, when
made), and its items as rows of a formset, each naming its section — rows with the same section name
make one section, in the order they first appear. A few blank rows take new items; a row cleared or
ticked for deletion is dropped. `sections_of_formset` turns the rows into what `save_checklist`
takes and remembers which row each item came from, so that an error keyed
`sections.0.items.2.cap` is put beside the right field (`put_errors`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.network.models import Region

from .actions.checklists import MAX_ITEMS, ChecklistError
from .checklists import ItemData, SectionData
from .models import Checklist, Method, PointLevel

#: Blank rows offered for new items.
BLANK_ROWS = 3


class ChecklistForm(forms.Form):
    county = forms.ModelChoiceField(
        label=_("县（区）"), queryset=Region.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("评分表名称"), max_length=60)
    active = forms.BooleanField(
        label=_("启用"), required=False, help_text=_("启用后，新的督查可以使用这张评分表。")
    )

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if counties is None:
            del self.fields["county"]
        else:
            self.fields["county"].queryset = counties


class ItemForm(forms.Form):
    section = forms.CharField(
        label=_("所属部分"), max_length=60, help_text=_("同名的行归入同一部分。")
    )
    text = forms.CharField(
        label=_("检查内容"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    points = forms.DecimalField(label=_("分值"), max_digits=5, decimal_places=1, min_value=0)
    deduction = forms.DecimalField(label=_("每处扣分"), max_digits=5, decimal_places=1, min_value=0)
    cap = forms.DecimalField(label=_("最多扣分"), max_digits=5, decimal_places=1, min_value=0)
    method = forms.ChoiceField(label=_("检查方式"), choices=[("", "—"), *Method.choices])
    photo_required = forms.BooleanField(label=_("须拍照"), required=False)
    applies_to = forms.MultipleChoiceField(
        label=_("适用层级"),
        choices=PointLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("不选即适用于全部层级。"),
    )


ItemFormSet = forms.formset_factory(
    ItemForm,
    extra=BLANK_ROWS,
    can_delete=True,
    max_num=MAX_ITEMS,
    validate_max=True,
    absolute_max=MAX_ITEMS + BLANK_ROWS,
)


def initial_rows(checklist: Checklist | None) -> list[dict]:
    """The formset's rows for a saved checklist's active items."""
    if checklist is None:
        return []
    return [
        {
            "section": section.title,
            "text": item.text,
            "points": item.points,
            "deduction": item.deduction,
            "cap": item.cap,
            "method": item.method,
            "photo_required": item.photo_required,
            "applies_to": list(item.applies_to),
        }
        for section in checklist.sections.prefetch_related("items")
        for item in section.items.all()
        if item.active
    ]


def sections_of_formset(formset) -> tuple[list[SectionData], dict[tuple[int, int], int]]:
    """The rows kept (filled, not ticked for deletion) as sections, and where each item came from:
    (section index, item index) → the row's index in the formset."""
    sections: dict[str, SectionData] = {}
    rows: dict[tuple[int, int], int] = {}
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        title = data["section"].strip()
        if title not in sections:
            sections[title] = SectionData(title=title, items=[])
        section = sections[title]
        rows[(list(sections).index(title), len(section.items))] = index
        section.items.append(
            ItemData(
                text=data["text"],
                points=data["points"],
                deduction=data["deduction"],
                cap=data["cap"],
                method=data["method"],
                photo_required=data["photo_required"],
                applies_to=data["applies_to"] or list(PointLevel.values),
            )
        )
    return list(sections.values()), rows


def put_errors(error: ChecklistError, form, formset, rows: dict[tuple[int, int], int]) -> None:
    """Each message beside its field: the checklist's own on `form`, an item's on its row (a
    section's title on its first row), anything else above the rows."""
    firsts = {i: index for (i, j), index in sorted(rows.items(), reverse=True)}
    for key, messages in error.errors.items():
        parts = key.split(".")
        target, field = None, None
        if key in form.fields:
            target, field = form, key
        elif len(parts) == 3 and parts[0] == "sections" and parts[2] == "title":
            index = firsts.get(int(parts[1]))
            target, field = (formset.forms[index], "section") if index is not None else (None, None)
        elif len(parts) == 5 and parts[0] == "sections" and parts[2] == "items":
            index = rows.get((int(parts[1]), int(parts[3])))
            if index is not None and parts[4] in formset.forms[index].fields:
                target, field = formset.forms[index], parts[4]
        for message in messages:
            if target is not None:
                target.add_error(field, message)
            else:
                formset._non_form_errors.append(message)

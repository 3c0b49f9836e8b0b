"""The calendar page's forms: correct one day; enter a year's holidays and make-up working days."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actions import MAX_YEAR, MIN_YEAR, NAME_LENGTH
from .models import CalendarDay

Kind = CalendarDay.Kind

#: Words of a year's line: 放假 (a holiday) or 上班 (a make-up working day).
LINE_KINDS = {"放假": Kind.HOLIDAY, "上班": Kind.MAKEUP_WORKDAY}
LINE = re.compile(
    r"^(?P<first>\d{4}-\d{2}-\d{2})(?:\s*(?:至|~|--)\s*(?P<last>\d{4}-\d{2}-\d{2}))?"
    r"\s+(?P<word>\S+)(?:\s+(?P<name>.+))?$"
)
MAX_LINES = 200


def _in_range(day: dt.date) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise forms.ValidationError(_("日期须在 2000 年至 2100 年之间。"))


class DayForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("改为"),
        choices=Kind.choices,
        help_text=gettext_lazy("周一至周五恢复上班选“工作日”，周六、周日恢复休息选“周末”。"),
    )
    name = forms.CharField(
        label=gettext_lazy("名称"),
        required=False,
        max_length=NAME_LENGTH,
        help_text=gettext_lazy("例如：国庆节。"),
    )

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        _in_range(day)
        return day


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    days = forms.CharField(
        label=gettext_lazy("节假日和调休上班日"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "按国务院办公厅通知逐行填写：日期（或“日期 至 日期”）、放假或上班、名称。"
            "例如：2027-10-01 至 2027-10-07 放假 国庆节；2027-10-09 上班 国庆节。"
        ),
    )

    def clean_days(self) -> list[tuple[dt.date, str, str]]:
        """Every line parsed, or every bad line reported by number."""
        out: list[tuple[dt.date, str, str]] = []
        problems: list[str] = []
        lines = [line.strip() for line in self.cleaned_data["days"].splitlines()]
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(_("最多 %(n)s 行。") % {"n": MAX_LINES})
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            match = LINE.match(line)
            kind = LINE_KINDS.get(match["word"]) if match else None
            try:
                first = dt.date.fromisoformat(match["first"]) if match else None
                last = dt.date.fromisoformat(match["last"]) if match and match["last"] else first
            except ValueError:
                first = last = None
            if match is None or kind is None or first is None or last < first:
                problems.append(
                    _(
                        "第 %(n)s 行格式不对：应为“日期 放假|上班 名称”，例如“2027-01-01 放假 元旦”。"
                    )
                    % {"n": number}
                )
                continue
            if (last - first).days > 31:
                problems.append(_("第 %(n)s 行的日期范围超过一个月。") % {"n": number})
                continue
            name = (match["name"] or "").strip()
            day = first
            while day <= last:
                out.append((day, kind, name))
                day += dt.timedelta(days=1)
        if problems:
            raise forms.ValidationError(problems)
        if not out:
            raise forms.ValidationError(_("请至少填写一行。"))
        return out

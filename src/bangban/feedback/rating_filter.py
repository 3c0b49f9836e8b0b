"""The filters of the staff's list of ratings, defined once (as `cases.ledger.LedgerFilter` is for the
ledger): the page reads its query parameters through `RatingFilter` and applies it to the ratings
the user may see (`feedback.scope.ratings_for`), and so may the API and an export.

Parameters (all optional): `level` (repeatable, 1–5), `bad` (差评 only), `flagged` (疑似刷评 only),
`overturned` (`yes`: only those overturned on appeal; `no`: none of them), `point` (a point id: the
ratings of it and of every point below it), `channel`, `assess` (1 first, 2 follow-up), `from`/`to`
(the day rated, both ends included).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from bangban.network.models import ServicePoint, path_under

from .models import BAD, Channel, Level, Rating

OVERTURNED = [
    ("", gettext_lazy("全部")),
    ("no", gettext_lazy("不含申诉撤销的")),
    ("yes", gettext_lazy("只看申诉撤销的")),
]


class RatingFilter(forms.Form):
    level = forms.TypedMultipleChoiceField(
        label=gettext_lazy("评价等级"), choices=Level.choices, coerce=int, required=False
    )
    bad = forms.BooleanField(label=gettext_lazy("只看差评"), required=False)
    flagged = forms.BooleanField(label=gettext_lazy("只看疑似刷评"), required=False)
    overturned = forms.ChoiceField(
        label=gettext_lazy("申诉撤销"), choices=OVERTURNED, required=False
    )
    point = forms.IntegerField(
        label=gettext_lazy("服务点（含下级）"), required=False, min_value=1, max_value=2**63 - 1
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("评价渠道"),
        choices=[("", gettext_lazy("全部")), *Channel.choices],
        required=False,
    )
    assess = forms.TypedChoiceField(
        label=gettext_lazy("首评或追评"),
        choices=[("", gettext_lazy("全部")), *Rating.Assess.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = forms.DateField(label=gettext_lazy("评价日期从"), required=False)
    end = forms.DateField(label=gettext_lazy("到"), required=False)

    def add_prefix(self, field_name):
        """`start` and `end` are read from and written as `from` and `to`."""
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext_lazy("结束日期不能早于开始日期。"))
        return data

    def apply(self, ratings: QuerySet[Rating]) -> QuerySet[Rating]:
        """`ratings` narrowed by the valid conditions, newest first."""
        data = self.cleaned_data
        q = Q()
        if data.get("level"):
            q &= Q(level__in=data["level"])
        if data.get("bad"):
            q &= Q(level__in=sorted(BAD))
        if data.get("flagged"):
            q &= Q(flagged=True)
        if data.get("overturned") == "yes":
            q &= Q(overturned=True)
        elif data.get("overturned") == "no":
            q &= Q(overturned=False)
        if data.get("channel"):
            q &= Q(channel=data["channel"])
        if data.get("assess"):
            q &= Q(assess=data["assess"])
        if data.get("start"):
            q &= Q(rated_on__gte=data["start"])
        if data.get("end"):
            q &= Q(rated_on__lte=data["end"])
        if data.get("point"):
            q &= _subtree(data["point"])
        return ratings.filter(q).order_by("-rated_at", "-pk")


def _subtree(pk: int) -> Q:
    """The ratings of point `pk` and of every point below it (one index range on the ratings' own
    `point_path`, decision 0066)."""
    point = ServicePoint.objects.filter(pk=pk).only("pk", "ancestry").first()
    if point is None:
        return Q(pk__in=[])
    return path_under("point_path", point.subtree_prefix)

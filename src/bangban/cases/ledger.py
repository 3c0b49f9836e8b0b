"""The ledger's filters (工作台账筛选), defined once: the HTML list, the JSON API and the Excel export
all read their query parameters through `LedgerFilter` and apply it to the cases the user may see
(`cases.scope.cases_for`), so a filter means the same thing everywhere.

Parameters (all optional, GET-style): `state` (repeatable), `point` (a point id: cases registered or
handled there or anywhere below it), `helper` (a user id: first responsible or handling helper),
`item`, `kind`, `mode`, `channel`, `registered_from`/`registered_to`, `completed_from`/`completed_to`
(dates, both ends included), `warning` (`near_deadline` 黄牌 or `overdue` 红牌), `special` (`elderly`,
`disabled` or `any` of them), `q` (a case number or its start, or any part of the applicant's name:
`names_containing`), `sort` (`SORTS`; by default the newest registrations first, or the newest
completions first when a range of completion days is asked for: `_ordering`), and
`digest` (repeatable: the keyed digests of a whole ID number or phone, `identity_search`).

A whole ID number or phone is never a GET parameter (decision 0030): `q` refuses one. It is typed
into the page's search box, which POSTs it; the page keeps the digests in the session behind an
opaque, short-lived reference (`views.ledger`); the API takes it in the body of `POST
/api/v1/cases/search`; a background export stores only the digests.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import AbstractUser
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from bangban.catalog.models import Mode
from bangban.kernel import protection
from bangban.kernel.search import gram_candidates, grams_suffice
from bangban.kernel.statements import Param, Statement
from bangban.network.models import ServicePoint, path_under

from . import identifiers
from .identifiers import DocumentType, IdentifierError
from .models import Applicant, ApplicantGram, Case, open_warning_q
from .workflow import State

WARNINGS = [
    ("near_deadline", gettext_lazy("临近期限（黄牌）")),
    ("overdue", gettext_lazy("已超期（红牌）")),
]
SPECIAL = [
    ("any", gettext_lazy("特殊群体（老年人或残疾人）")),
    ("elderly", gettext_lazy("老年人")),
    ("disabled", gettext_lazy("残疾人")),
]
#: sort key → the ordering it means; the case number breaks ties so pages never overlap.
SORTS = {
    "-registered": ("-registered_on", "-sequence", "-pk"),
    "registered": ("registered_on", "sequence", "pk"),
    "deadline": ("promised_deadline", "-registered_on", "-sequence", "-pk"),
    "-deadline": ("-promised_deadline", "-registered_on", "-sequence", "-pk"),
    "-completed": ("-completed_on", "-registered_on", "-sequence", "-pk"),
    "completed": ("completed_on", "registered_on", "sequence", "pk"),
}
SORT_CHOICES = [
    ("-registered", gettext_lazy("登记时间（新的在前）")),
    ("registered", gettext_lazy("登记时间（早的在前）")),
    ("deadline", gettext_lazy("承诺期限（近的在前）")),
    ("-deadline", gettext_lazy("承诺期限（远的在前）")),
    ("-completed", gettext_lazy("办结日期（新的在前）")),
    ("completed", gettext_lazy("办结日期（早的在前）")),
]
#: The filters that ask for a range of completion days: a list so filtered is in completion order
#: unless another sort is asked for (`_ordering`).
COMPLETION_RANGE = ("completed_from", "completed_to")


def _ordering(sort: str, ranged: bool) -> tuple:
    """The ordering of `sort`, or with none given the default: by completion day, newest first,
    when the filter asks for a range of completion days (`ranged`: what such a list is read for —
    the quarter's completions as they were done — and what the completion-day indexes serve at any
    scope, decision 0072), else by registration, newest first. By completion day without a range of
    them, the cases not completed come last in either direction on every database (PostgreSQL and
    SQLite differ in where they put nulls); with a range every case has the day, and the plain
    order is what the indexes serve."""
    first, *rest = SORTS[sort or ("-completed" if ranged else "-registered")]
    if first.lstrip("-") != "completed_on" or ranged:
        return (first, *rest)
    field = F("completed_on")
    first = field.desc(nulls_last=True) if first.startswith("-") else field.asc(nulls_last=True)
    return (first, *rest)


#: A case number or its start (`370323`, `370323-2026`, `370323-20261125-0042`): searched by `q`.
CASE_NUMBER_START = re.compile(r"[0-9]{1,6}|[0-9]{6}-[0-9]{0,8}(-[0-9]*)?")
#: What a case number is made of: a text of anything else is no start of one.
CASE_NUMBER_CHARACTERS = frozenset("0123456789-")
DIGEST = re.compile(r"[0-9a-f]{64}")
#: The most digests one filter carries (every kind of document a text may be, under every key).
MAX_DIGESTS = 40


@dataclass(frozen=True)
class IdentitySearch:
    """A whole identity number or phone as typed at the counter, reduced to what finds it: the keyed
    digests of every kind of document (and phone) it may be, under every configured key, and its
    mask (what a page shows of it). The number itself is not kept."""

    digests: tuple[str, ...]
    shown: str


def identity_search(text: str, today: dt.date | None = None) -> IdentitySearch | None:
    """The search for `text` if it is a whole ID number, another document's number, a credit code
    or a phone; None for anything else: a name (no digit), a case number or its start, or digits
    that are no number at all."""
    compact = "".join((text or "").split())
    if not compact or len(compact) > 50 or not any(c.isdigit() for c in compact):
        return None
    if CASE_NUMBER_START.fullmatch(compact):
        return None
    today = today or timezone.localdate()
    digests: list[str] = []
    shown = ""
    try:
        phone = identifiers.normalise_phone(text)
    except IdentifierError:
        pass
    else:
        digests += protection.phone_digests(phone)
        shown = identifiers.mask_phone(phone)
    for kind in DocumentType.values:
        try:
            number = identifiers.normalise_document(kind, text, today)
        except IdentifierError:
            continue
        digests += protection.lookup_digests(kind, number)
        shown = shown or identifiers.mask_id(number)
    try:
        code = identifiers.normalise_credit_code(text)
    except IdentifierError:
        pass
    else:
        digests += protection.lookup_digests("credit_code", code)
        shown = shown or code
    if not digests:
        return None
    return IdentitySearch(tuple(dict.fromkeys(digests))[:MAX_DIGESTS], shown)


def names_containing(text: str) -> Q:
    """The cases whose applicant's name contains `text` (`applicant__name__contains`, exactly),
    read through the grams of applicants' names (`ApplicantGram`, decision 0070): those of the
    applicants holding the text's rarest gram, tested for the substring (one or two Chinese
    characters need no test); or, when every gram of the text is held by most names (合作社 in a
    province of cooperatives, decision 0069's cap), the substring test alone, which the scope's
    own index range serves better than thousands of candidates looked up one by one. One query to
    choose (`kernel.search.gram_candidates`), when called."""
    candidates = gram_candidates(ApplicantGram.objects.all(), text, "applicant_id")
    if candidates is None:
        return Q(applicant__name__contains=text)
    found = Q(applicant_id__in=candidates)
    return found if grams_suffice(text) else found & Q(applicant__name__contains=text)


class DigestsField(forms.Field):
    """Keyed digests (64 hex characters each, repeatable): never a number, only what finds one."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        if len(values) > MAX_DIGESTS or not all(
            isinstance(v, str) and DIGEST.fullmatch(v) for v in values
        ):
            raise forms.ValidationError(gettext_lazy("查找摘要无效。"), code="invalid")
        return values


def _blank(choices):
    return [("", gettext_lazy("全部")), *choices]


class LedgerFilter(forms.Form):
    state = forms.MultipleChoiceField(
        label=gettext_lazy("状态"), choices=State.choices, required=False
    )
    # Ids are 64-bit (BigAutoField): a larger number would overflow the database, not just miss.
    point = forms.IntegerField(
        label=gettext_lazy("服务点（含下级）"), required=False, min_value=1, max_value=2**63 - 1
    )
    helper = forms.IntegerField(
        label=gettext_lazy("帮办员"), required=False, min_value=1, max_value=2**63 - 1
    )
    item = forms.IntegerField(
        label=gettext_lazy("事项"), required=False, min_value=1, max_value=2**63 - 1
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("帮办或代办"), choices=_blank(Case.Kind.choices), required=False
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("服务方式"), choices=_blank(Mode.choices), required=False
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("来源渠道"), choices=_blank(Case.Channel.choices), required=False
    )
    registered_from = forms.DateField(label=gettext_lazy("登记日期自"), required=False)
    registered_to = forms.DateField(label=gettext_lazy("登记日期至"), required=False)
    completed_from = forms.DateField(label=gettext_lazy("办结日期自"), required=False)
    completed_to = forms.DateField(label=gettext_lazy("办结日期至"), required=False)
    warning = forms.ChoiceField(
        label=gettext_lazy("预警"), choices=_blank(WARNINGS), required=False
    )
    special = forms.ChoiceField(
        label=gettext_lazy("特殊群体"), choices=_blank(SPECIAL), required=False
    )
    q = forms.CharField(
        label=gettext_lazy("编号、申请人、证件号码或电话"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("办件编号开头、姓名或名称中的几个字，或完整号码")}
        ),
    )
    # Blank is the default order (`_ordering`): a select always sends its choice, so without it
    # the page's form would send "by registration" with every range of completion days typed in.
    sort = forms.ChoiceField(
        label=gettext_lazy("排序"),
        choices=[("", gettext_lazy("默认顺序（按办结日期筛选时按办结日期）")), *SORT_CHOICES],
        required=False,
    )
    digest = DigestsField(required=False)

    def clean_q(self):
        text = self.cleaned_data["q"]
        if identity_search(text) is not None:
            raise forms.ValidationError(
                gettext_lazy(
                    "证件号码和电话不放在网址中查找：请在台账页面的查找框中输入，"
                    "接口请用 POST /api/v1/cases/search。"
                ),
                code="identity_in_url",
            )
        return text

    def clean(self):
        data = super().clean()
        for start, end in (
            ("registered_from", "registered_to"),
            ("completed_from", "completed_to"),
        ):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, gettext_lazy("结束日期不能早于开始日期。"))
        return data

    def apply(self, cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
        """`cases` (already scoped) narrowed by the valid filter and ordered by its sort."""
        if not self.is_valid():
            raise ValueError("apply() needs a valid filter")
        data = self.cleaned_data
        q = Q()
        if data["state"]:
            q &= Q(status__in=data["state"])
        if data["point"]:
            q &= _in_subtree(data["point"])
        if data["helper"]:
            q &= Q(responsible_id=data["helper"]) | Q(handling_helper_id=data["helper"])
        if data["item"]:
            q &= Q(item_id=data["item"])
        for name in ("kind", "mode", "channel"):
            if data[name]:
                q &= Q(**{name: data[name]})
        for name, lookup in (
            ("registered_from", "registered_on__gte"),
            ("registered_to", "registered_on__lte"),
            ("completed_from", "completed_on__gte"),
            ("completed_to", "completed_on__lte"),
        ):
            if data[name]:
                q &= Q(**{lookup: data[name]})
        if data["warning"]:
            q &= open_warning_q(data["warning"], today)
        special = data["special"]
        if special == "any":
            q &= Q(elderly=True) | Q(disabled=True)
        elif special:
            q &= Q(**{special: True})
        text = data["q"].strip()
        if text:
            found = names_containing(text)
            if CASE_NUMBER_CHARACTERS.issuperset(text):
                found |= Q(number__startswith=text)
            q &= found
        if data["digest"]:
            q &= _identity_q(data["digest"])
        ranged = any(data[name] for name in COMPLETION_RANGE)
        return cases.filter(q).order_by(*_ordering(data["sort"], ranged))

    def query(self) -> dict:
        """The valid filter as JSON-safe GET parameters (what a background export stores)."""
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", []):
                continue
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
        return out


#: What a ledger row shows (the HTML list, the API's list, the home page's lists): the columns read
#: by the page's one rows query. A field shown on a row must be listed here (a row is no model
#: instance and reads nothing by itself: a field left out is an AttributeError, never a query).
ROW_FIELDS = (
    # the case: what a row shows, and what its clock is read from (`models.clock_of`)
    "number",
    "status",
    "kind",
    "mode",
    "channel",
    "item",
    "elderly",
    "disabled",
    "registered_on",
    "received_on",
    "accepted_on",
    "acceptance_deemed",
    "deemed_deadline",
    "promised_deadline",
    "promised_provisional",
    "legal_deadline",
    "legal_provisional",
    "suspended_on",
    "completed_on",
    "contact_phone_masked",
    # its applicant, item revision (with the limits a deemed acceptance counts from), points, people
    "applicant__kind",
    "applicant__name",
    "applicant__number_masked",
    "applicant__credit_code",
    "revision__name",
    "revision__number",
    "revision__promised_limit",
    "revision__promised_limit_unit",
    "revision__legal_limit",
    "revision__legal_limit_unit",
    "registering_point__name",
    "handling_point__name",
    "responsible__username",
    "responsible__first_name",
    "responsible__last_name",
    "handling_helper__username",
    "handling_helper__first_name",
    "handling_helper__last_name",
)
#: The rows a ledger row's relations are (each read as `Related`, its id as `<name>_id`).
ROW_RELATIONS = (
    "applicant",
    "revision",
    "registering_point",
    "handling_point",
    "responsible",
    "handling_helper",
)


class Related:
    """A related row of a ledger row (its applicant, revision, points, helpers): its id and the
    columns of it that ROW_FIELDS read, as attributes."""

    def __init__(self, pk: int, fields: dict):
        self.pk = self.id = pk
        self.__dict__.update(fields)

    def get_full_name(self) -> str:
        """A user's full name, by `AbstractUser.get_full_name` itself (it reads only the two names)."""
        return AbstractUser.get_full_name(self)


#: The columns of a rows query, and where each goes on a `Row`: the case's own columns by name (a
#: foreign key as `<name>_id`), each relation's by its position in the tuple.
_COLUMNS = ("pk", *ROW_RELATIONS, *ROW_FIELDS)
_OWN = tuple(
    (i, f"{name}_id" if name in (*ROW_RELATIONS, "item") else name)
    for i, name in enumerate(_COLUMNS)
    if "__" not in name
)
_RELATED = tuple(
    (
        relation,
        _COLUMNS.index(relation),
        tuple(
            (i, name.partition("__")[2])
            for i, name in enumerate(_COLUMNS)
            if name.startswith(relation + "__")
        ),
    )
    for relation in ROW_RELATIONS
)


class Row:
    """A ledger row: a case's ROW_FIELDS as attributes named as on the case (`row.number`,
    `row.item_id`, `row.applicant.name`, `row.get_status_display()`), so that templates, the
    clock (`models.clock_of`) and the API's `case_summary` read it as they would a case.

    Read as tuples rather than as model instances: a page of 50 rows is 350 instances (the case
    and its six related rows), whose construction cost 7 ms of an API list's 20 (decision 0068). A
    row is read-only and reads nothing on its own: what it lacks is an AttributeError."""

    def __init__(self, values: tuple):
        own = self.__dict__
        for i, name in _OWN:
            own[name] = values[i]
        self.id = self.pk
        for relation, at, fields in _RELATED:
            pk = values[at]
            own[relation] = None if pk is None else Related(pk, {f: values[i] for i, f in fields})

    def get_status_display(self) -> str:
        return _display("status", self.status)

    def get_kind_display(self) -> str:
        return _display("kind", self.kind)

    def get_mode_display(self) -> str:
        return _display("mode", self.mode)

    def get_channel_display(self) -> str:
        return _display("channel", self.channel)


@functools.cache
def _labels(field: str, language: str | None) -> dict[str, str]:
    """A field's choices' labels, translated into `language` (the choices are fixed: read once per
    language, where `str()` of each row's lazy label asked gettext again, 50 times an answer)."""
    return {value: str(label) for value, label in Case._meta.get_field(field).flatchoices}


def _display(field: str, value: str) -> str:
    """A choice's label, as a model's `get_<field>_display` gives it (the value when unknown)."""
    return _labels(field, get_language()).get(value, value)


#: A case number standing for any in the address of a case's page (`rows`).
_SAMPLE_NUMBER = "000000-00000000-0000"


#: The rows query for n keys, built and compiled once per database and n (decision 0071): 0.8 ms
#: of the 1.65 ms a page's rows took.
_ROWS = Statement(
    lambda n: (
        Case.objects.filter(pk__in=[Param(i) for i in range(n)]).order_by().values_list(*_COLUMNS)
    )
)


def rows(keys: list[int]) -> list[Row]:
    """The cases of `keys` in that order as ledger `Row`s (ROW_FIELDS), in one query (none for no
    keys), each with the address of its page (`row.url`): reversed once for all the rows, where a
    `{% url %}` per row cost 0.1–0.2 ms each (decision 0068)."""
    if not keys:
        return []
    found = _ROWS.tuples(keys, len(keys))
    head, _, tail = reverse("cases:case", args=[_SAMPLE_NUMBER]).partition(_SAMPLE_NUMBER)
    by_pk = {}
    for values in found:
        row = Row(values)
        row.url = f"{head}{row.number}{tail}"
        by_pk[row.pk] = row
    return [by_pk[pk] for pk in keys if pk in by_pk]


def page(cases: QuerySet[Case], offset: int, size: int) -> tuple[list[Row], bool]:
    """One page of an ordered ledger and whether more follow, in two queries whatever its size: the
    page's keys, sorted and sliced on the cases table alone, then their `rows`."""
    keys = list(cases.values_list("pk", flat=True)[offset : offset + size + 1])
    return rows(keys[:size]), len(keys) > size


def _identity_q(digests: list[str]) -> Q:
    """Cases of the applicant with one of these identity or phone digests, or whose progress
    messages go to such a phone (the proxy's for 代办): each an indexed look-up."""
    applicants = Applicant.objects.filter(
        Q(lookup_digest__in=digests) | Q(phone_digest__in=digests)
    ).values("pk")
    return Q(applicant__in=applicants) | Q(contact_phone_digest__in=digests)


def _in_subtree(point_id: int) -> Q:
    """Cases registered or handled at the point or anywhere below it: two ranges of the case's
    scope columns (decision 0061; an unknown point matches nothing)."""
    point = ServicePoint.objects.filter(pk=point_id).only("pk", "ancestry").first()
    if point is None:
        return Q(pk__in=[])
    path = point.subtree_prefix
    return path_under("registering_path", path) | path_under("handling_path", path)

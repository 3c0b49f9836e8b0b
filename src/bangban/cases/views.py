"""The ledger's pages (工作台账): the list of the cases a user may see, with its filters, live figures
and pagination; a case's page with its checklist, notices, transfers, timeline and message log; and
the logged showing of an applicant's full ID number.

Thin like the catalog pages: cases are read through `cases.scope` only (404 for missing and not
allowed alike), filtered through `cases.ledger.LedgerFilter` (the one filter definition), and the one
write here, revealing an ID number, goes through `actions.reveal_number`. Every page runs a fixed
number of SQL queries whatever the number of rows (tests/cases/test_ledger_pages.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import PurePath

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Q, Value, When
from django.db.models.functions import Length, Replace
from django.http import FileResponse, Http404, HttpResponseForbidden, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangban.catalog.scope import items_for
from bangban.kernel.clients import client_ip
from bangban.messaging.models import Message
from bangban.network import access
from bangban.network.models import Membership

from . import action_views, actions, identifiers, workflow
from .ledger import IdentitySearch, LedgerFilter, identity_search
from .models import (
    NEAR_DEADLINE,
    OVERDUE,
    Case,
    CaseMaterial,
    ReadingDay,
    Transfer,
    attach_names,
    clock_of,
    warning_of,
)
from .scope import cases_for, get_case_for
from .workflow import State

#: Rows per page of the ledger.
PAGE_SIZE = 25
#: The list counts its rows up to here and then says "more than" (decision 0017): an exact COUNT over
#: a county's or a province's million cases costs more than the page itself.
COUNT_CAP = 1000
#: The most options a picker (point, helper, item) lists before asking for a few characters.
PICKER_LIMIT = 300
#: The most matches a picker's search lists.
SEARCH_LIMIT = 50
PICKERS = ("point", "helper", "item")


# --- Pickers: the filter's point, helper and item, chosen from the user's own scope --------------


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _first_selected(selected: int | None):
    """Order the selected row first, so a limit never drops it."""
    if selected is None:
        return Value(1, output_field=IntegerField())
    return SqlCase(When(pk=selected, then=Value(0)), default=Value(1), output_field=IntegerField())


def point_options(user, text: str = "", selected: int | None = None) -> tuple[list, bool]:
    """(value, label) options of the points the user may see, and whether some were left out.

    Without search text: the tree from the top down, whole levels at a time while they fit in
    PICKER_LIMIT (a county admin gets the county's centres, zones, windows and towns; a town admin
    also every village of the town), indented. With search text: up to SEARCH_LIMIT points whose
    name or address contains it. The selected point is always among them. One query."""
    visible = access.points_for(user, "view")
    depth = Length("ancestry") - Length(Replace("ancestry", Value("/"), Value("")))
    wanted = Q()
    if text:
        wanted = Q(name__contains=text) | Q(address__contains=text)
        if selected is not None:
            wanted |= Q(pk=selected)
    limit = SEARCH_LIMIT if text else PICKER_LIMIT
    rows = list(
        visible.filter(wanted)
        .annotate(level=depth, first=_first_selected(selected))
        .order_by("first", "level", "ancestry", "name", "pk")
        .only("pk", "name", "ancestry")[: limit + 1]
    )
    more = len(rows) > limit
    if more and not text:
        # Drop the deepest level, of which only a part fitted (never the selected point).
        deepest = max(p.level for p in rows)
        kept = [p for p in rows if p.level < deepest or p.pk == selected]
        rows = kept or rows[:limit]
    rows = rows[:limit] if text else rows
    if text:
        return [(p.pk, p.name) for p in rows], more
    top = min((p.level for p in rows), default=0)
    rows.sort(key=lambda p: [int(part) for part in p.subtree_prefix.strip("/").split("/")])
    return [(p.pk, "\u3000" * (p.level - top) + p.name) for p in rows], more


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


def helper_options(user, text: str = "", selected: int | None = None) -> tuple[list, bool]:
    """(value, label) options of the helpers and leads serving at the points the user may see (and
    the user), by name; with search text, those whose name or username contains it. One query."""
    wanted = Q()
    if text:
        wanted = Q(first_name__contains=text) | Q(last_name__contains=text)
        wanted |= Q(username__contains=text)
        if selected is not None:
            wanted |= Q(pk=selected)
    limit = SEARCH_LIMIT if text else PICKER_LIMIT
    rows = list(
        get_user_model()
        .objects.filter(wanted, pk__in=_helpers_in_scope(user), is_active=True)
        .annotate(first=_first_selected(selected))
        .order_by("first", "first_name", "username", "pk")
        .only("pk", "first_name", "last_name", "username")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    rows.sort(key=lambda u: (_user_label(u), u.pk))
    return [(u.pk, _user_label(u)) for u in rows], more


def _helpers_in_scope(user):
    """The ids of the people serving at the points the user may see, and the user's own: a union of
    two indexed reads (an OR across the join made the database test every account)."""
    serving = Membership.objects.serving(at=access.points_for(user, "view").values("pk")).values(
        "user_id"
    )
    return serving.order_by().union(
        get_user_model().objects.filter(pk=user.pk).order_by().values("pk")
    )


def item_options(user, text: str = "", selected: int | None = None) -> tuple[list, bool]:
    """(value, label) options of the items of the counties the user works in, by name; with search
    text, the items whose name, department, domain or code matches (the catalog's search). One
    query."""
    items = items_for(user)
    wanted = items.search(text).values("pk") if text else None
    q = Q(pk__in=wanted) if wanted is not None else Q()
    if selected is not None and text:
        q |= Q(pk=selected)
    limit = SEARCH_LIMIT if text else PICKER_LIMIT
    rows = list(
        items.filter(q)
        .annotate(first=_first_selected(selected))
        .select_related("current")
        .only("pk", "current__name")
        .order_by("first", "current__name", "pk")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    rows.sort(key=lambda i: (i.current.name, i.pk))
    return [(i.pk, i.current.name) for i in rows], more


OPTIONS = {"point": point_options, "helper": helper_options, "item": item_options}
PICKER_HINTS = {
    "point": gettext_lazy("输入服务点名称查找"),
    "helper": gettext_lazy("输入姓名查找"),
    "item": gettext_lazy("输入事项名称或编码查找"),
}


def _find_text(data: QueryDict, name: str) -> str:
    return (data.get(f"{name}_find") or "").strip()[:50]


def _picker(user, form: LedgerFilter, data: QueryDict, name: str) -> dict:
    """What the template needs to draw one picker: its field, options, search text, hint."""
    selected = _int(data.get(name))
    text = _find_text(data, name)
    options, more = OPTIONS[name](user, text, selected)
    return {
        "field": form[name],
        "name": name,
        "options": options,
        "selected": selected,
        "text": text,
        "more": more,
        "hint": PICKER_HINTS[name],
    }


@login_required
@require_GET
def ledger_options(request):
    """The options of one picker matching the typed text (htmx; the form works without it: the
    search text is sent with the filter and narrows the same options on the page)."""
    name = request.GET.get("field", "")
    if name not in OPTIONS:
        raise Http404
    selected = _int(request.GET.get(name))
    options, more = OPTIONS[name](request.user, _find_text(request.GET, name), selected)
    context = {"options": options, "selected": selected, "more": more}
    return render(request, "cases/_ledger_options.html", context)


# --- The list --------------------------------------------------------------------------------------


class Page:
    """One page of rows without an exact count (decision 0017): the rows of the page, whether there
    is a next one, and the number of matching rows counted up to COUNT_CAP."""

    def __init__(self, number: int, rows: list, has_next: bool, counted: int, size: int):
        self.number = number
        self.object_list = rows
        self.has_next = has_next
        self.has_previous = number > 1
        self.counted = min(counted, COUNT_CAP)
        self.capped = counted > COUNT_CAP
        self.start = (number - 1) * size + 1 if rows else 0
        self.end = (number - 1) * size + len(rows)

    def __iter__(self):
        return iter(self.object_list)

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(value) -> int:
    number = _int(value) or 1
    return min(number, 10_000)


def paginate(queryset, number: int, size: int | None = None) -> Page:
    """The page `number` of an ordered queryset of cases and the count of matches up to COUNT_CAP:
    within the first COUNT_CAP rows, two queries (the first COUNT_CAP + 1 keys, sorted on the cases
    table alone, then the page's rows with everything a row shows); beyond, three (the page's keys,
    its rows, the capped count)."""
    size = size or PAGE_SIZE
    offset = (number - 1) * size
    if offset + size <= COUNT_CAP:
        # The first COUNT_CAP + 1 keys give the page and the capped count in one read.
        keys = list(queryset.values_list("pk", flat=True)[: COUNT_CAP + 1])
        rows = Case.objects.rows(keys[offset : offset + size])
        return Page(number, rows, len(keys) > offset + size, len(keys), size)
    rows, has_next = queryset.page(offset, size)
    counted = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    return Page(number, rows, has_next, counted, size)


#: The badge of each warning on the pages (`models.warning_of`).
CARDS = {OVERDUE: "red", NEAR_DEADLINE: "yellow", "": ""}


def read_clock(case: Case, day: ReadingDay) -> Case:
    """Put on `case` (its revision read along) what a page shows of its clock on `day`: `clock`,
    its acceptance day and deadlines (`models.clock_of`: deemed acceptance shown as soon as it is
    due, written by nobody here), and `card`, "red" (红牌), "yellow" (黄牌) or ""
    (`models.warning_of`)."""
    case.clock = clock_of(case, day.cutoff)
    status, deadline = case.status, case.clock.promised_deadline
    case.card = CARDS[warning_of(status, deadline, day.on, day.near_until)]
    return case


def _rate(on_time: int, completed: int) -> str:
    if not completed:
        return "—"
    return f"{on_time * 100 / completed:.1f}%"


# --- Searching by a whole ID number or phone: by POST, never in a URL (decision 0030) ---------------

#: Where the page keeps its searches by number: {reference: {"digests", "shown", "until"}}.
FIND_SESSION_KEY = "ledger_finds"
#: How long a search by number stays usable through its reference (pages, the export link).
FIND_SECONDS = 60 * 60
#: The most searches by number a session keeps (the oldest are forgotten).
FIND_KEPT = 10


def remember_search(request, search: IdentitySearch) -> str:
    """Keep a search by number in the session behind a new opaque reference (what the URL
    carries), forgetting expired and surplus ones; the reference."""
    now = time.time()
    kept = {
        ref: found
        for ref, found in request.session.get(FIND_SESSION_KEY, {}).items()
        if isinstance(found, dict) and found.get("until", 0) > now
    }
    ref = secrets.token_urlsafe(12)
    kept[ref] = {
        "digests": list(search.digests),
        "shown": search.shown,
        "until": now + FIND_SECONDS,
    }
    newest = sorted(kept.items(), key=lambda item: item[1]["until"])[-FIND_KEPT:]
    request.session[FIND_SESSION_KEY] = dict(newest)
    return ref


def ledger_data(request, data: QueryDict) -> tuple[QueryDict, dict | None]:
    """The ledger filter's data for a ledger URL's parameters: the reference `found` replaced by the
    digests it stands for in this session (a `digest` in the URL is ignored: only a search typed
    here counts), and what the page says of it — {"shown": the mask, "ref"} or {"expired": True} —
    or None when the URL names no search by number."""
    data = data.copy()
    data.pop("digest", None)
    ref = data.pop("found", [""])[-1]
    if not ref:
        return data, None
    found = request.session.get(FIND_SESSION_KEY, {}).get(ref)
    if not isinstance(found, dict) or found.get("until", 0) <= time.time():
        return data, {"expired": True, "ref": ref}
    data.setlist("digest", found["digests"])
    return data, {"shown": found["shown"], "ref": ref}


def _search_redirect(request):
    """The filter form's POST: the same conditions as a GET URL, except a whole ID number or phone
    typed into the search box, which is kept in the session behind a reference (`found`) and never
    written into the URL, and so into no access log, browser history or export query."""
    query = QueryDict(mutable=True)
    for name, values in request.POST.lists():
        if name in ("csrfmiddlewaretoken", "page", "digest"):
            continue
        kept = [value for value in values if value.strip()]
        if kept:
            query.setlist(name, kept)
    search = identity_search(query.get("q", ""))
    if search is not None:
        query.pop("q")
        query["found"] = remember_search(request, search)
    url = reverse("cases:ledger")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _valid_filter(data: QueryDict) -> tuple[LedgerFilter, LedgerFilter | None]:
    """(the filter as typed, with its errors; the filter that is applied): a condition with an error
    is left out (and said so on the page) rather than failing the page."""
    shown = LedgerFilter(data)
    if shown.is_valid():
        return shown, shown
    kept = data.copy()
    for name in shown.errors:
        kept.pop(name, None)
    applied = LedgerFilter(kept)
    return shown, applied if applied.is_valid() else None


@login_required
@require_http_methods(["GET", "POST"])
def ledger(request):
    """工作台账: the cases the user may see, filtered, sorted, one page at a time, with the live
    figures of the user's whole scope above them. The filter form POSTs, and is answered with a
    redirect to its GET URL (`_search_redirect`): a whole ID number or phone typed into its search
    box never appears in a URL."""
    if request.method == "POST":
        return _search_redirect(request)
    user = request.user
    today = timezone.localdate()
    scoped = cases_for(user)
    figures = scoped.figures(today)
    data, found = ledger_data(request, request.GET)
    shown, applied = _valid_filter(data)
    if found is not None and found.get("expired"):
        applied = None  # no rows rather than every row: the search cannot be read back
    rows = applied.apply(scoped, today) if applied is not None else scoped.none()
    page = paginate(rows, _page_number(request.GET.get("page")))
    day = ReadingDay.of(today)
    for case in page:
        read_clock(case, day)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("digest", None)
    filtered = any(
        value for name, value in query.lists() if name != "sort" and any(v.strip() for v in value)
    )
    without_found = query.copy()
    without_found.pop("found", None)
    context = {
        "form": shown,
        "found": found,
        "without_found": without_found.urlencode(),
        "pickers": [_picker(user, shown, request.GET, name) for name in PICKERS],
        "page": page,
        "today": today,
        "figures": figures,
        "month_rate": _rate(figures["month_on_time"], figures["month_completed"]),
        "quarter_rate": _rate(figures["quarter_on_time"], figures["quarter_completed"]),
        "filtered": filtered,
        "query": query.urlencode(),
        "may_register": action_views.may_register(user),
        "pending_transfers": Transfer.objects.filter(
            status=Transfer.Status.PENDING, to_point__in=access.points_for(user, "act").values("pk")
        ).count(),
    }
    return render(request, "cases/ledger.html", context)


# --- A case ----------------------------------------------------------------------------------------

#: The timeline's words for the actions that are not transitions of the workflow table.
OTHER_ACTIONS = {
    "register": gettext_lazy("登记"),
    "escalate_transfer": gettext_lazy("转办超时催办"),
    "warning": gettext_lazy("期限预警"),
    "import": gettext_lazy("导入历史办件"),
}
#: What an event's data says, in the order shown. Values that name a point or a person are looked
#: up among those the page already read; dates are shown as they are.
DATA_LABELS = {
    "reason": gettext_lazy("原因"),
    "text": gettext_lazy("内容"),
    "notice": gettext_lazy("告知书编号"),
    "repeated": gettext_lazy("重复告知"),
    "refusal": gettext_lazy("不予受理通知书编号"),
    "department": gettext_lazy("作出决定的部门"),
    "document_number": gettext_lazy("决定文号"),
    "legal_basis": gettext_lazy("依据"),
    "received_on": gettext_lazy("收取日期"),
    "working_days": gettext_lazy("延长工作日"),
    "approver": gettext_lazy("批准人"),
    "to_point": gettext_lazy("接收服务点"),
    "direction": gettext_lazy("联动方式"),
    "suggested_point": gettext_lazy("建议转至"),
    "point": gettext_lazy("登记服务点"),
    "revision": gettext_lazy("事项版本"),
    "told": gettext_lazy("已告知申请人"),
    "original_number": gettext_lazy("原办件编号"),
}
#: Fields whose before → after an event shows.
CHANGE_LABELS = {
    "accepted_on": gettext_lazy("受理日期"),
    "promised_deadline": gettext_lazy("承诺期限"),
    "legal_deadline": gettext_lazy("法定期限"),
    "suspended_on": gettext_lazy("中止日期"),
    "completed_on": gettext_lazy("办结日期"),
    "handling_point": gettext_lazy("承办服务点"),
    "handling_helper": gettext_lazy("承办人"),
}


def action_label(action: str) -> str:
    transition = workflow.BY_ACTION.get(action)
    if transition is not None:
        return str(transition.label)
    return str(OTHER_ACTIONS.get(action, action))


def _state_label(value: str) -> str:
    try:
        return str(State(value).label)
    except ValueError:
        return value


def _shown(value, points: dict, people: dict, name: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name in ("to_point", "suggested_point", "point", "handling_point"):
        return points.get(value, f"#{value}")
    if name == "handling_helper":
        return people.get(value, f"#{value}")
    if name == "direction":
        try:
            return str(Transfer.Direction(value).label)
        except ValueError:
            return str(value)
    return str(value)


def timeline(events, points: dict, people: dict, materials: dict) -> list[dict]:
    """The case's events as the page shows them: who, when, what, state before → after, and what
    the event's data says (reasons, numbers, deadlines before → after)."""
    out = []
    for event in events:
        details = []
        for name, label in DATA_LABELS.items():
            if name in event.data:
                details.append((label, _shown(event.data[name], points, people, name)))
        before, after = event.data.get("before") or {}, event.data.get("after") or {}
        for name, label in CHANGE_LABELS.items():
            if name in after and before.get(name) != after.get(name):
                details.append(
                    (
                        label,
                        f"{_shown(before.get(name), points, people, name)} → "
                        f"{_shown(after.get(name), points, people, name)}",
                    )
                )
        changed = event.data.get("materials")
        if isinstance(changed, dict):
            for material_id, (old, new) in changed.items():
                details.append(
                    (
                        materials.get(int(material_id), f"#{material_id}"),
                        f"{_material_status(old)} → {_material_status(new)}",
                    )
                )
        out.append(
            {
                "at": event.at,
                "by": _user_label(event.by) if event.by else _("系统"),
                "action": event.action,
                "label": action_label(event.action),
                "from": _state_label(event.from_status) if event.from_status else "",
                "to": _state_label(event.to_status),
                "moved": event.from_status != event.to_status,
                "details": details,
            }
        )
    return out


def _material_status(value) -> str:
    try:
        return str(CaseMaterial.Status(value).label)
    except ValueError:
        return str(value)


def _case_queryset():
    """A case with what its page shows beside it in the same row: the applicant, the item as it
    stood (without its guide text) with its department, and the authorisation. Its points and people
    are read afterwards by id, with those of its transfers, notices and events (`_names`): joining
    them all (ten tables) cost PostgreSQL more planning than the rest of the page."""
    return Case.objects.select_related(
        "applicant", "revision__department", "authorisation", "refusal_department"
    ).defer("revision__guide")


def case_context(request, case: Case, today: dt.date) -> dict:
    """Everything the case page shows, in a fixed number of queries: the checklist, notices,
    transfers, events and messages, then the points and people they name (`_names`). The actions'
    panel reuses the checklist, notices and transfers (`context["read"]`)."""
    materials = list(case.materials.select_related("material").order_by("position"))
    notices = list(case.notices.annotate(line_count=Count("lines")).order_by("issued_at", "pk"))
    transfers = list(case.transfers.order_by("sent_at", "pk"))
    events = list(case.events.order_by("at", "pk"))
    sms_log = list(Message.objects.about(f"case:{case.number}"))
    attach_names(case, transfers, notices, events)
    points = {case.registering_point_id: case.registering_point.name}
    points[case.handling_point_id] = case.handling_point.name
    people = {case.responsible_id: _user_label(case.responsible)}
    if case.handling_helper_id:
        people[case.handling_helper_id] = _user_label(case.handling_helper)
    for t in transfers:
        points[t.from_point_id] = t.from_point.name
        points[t.to_point_id] = t.to_point.name
        if t.suggested_point_id:
            points[t.suggested_point_id] = t.suggested_point.name
        for person in (t.to_helper, t.sent_by, t.answered_by):
            if person is not None:
                people[person.pk] = _user_label(person)
    holding = [
        {"point": points.get(point_id, f"#{point_id}"), "days": days}
        for point_id, days in case.holding(today, transfers=transfers)
    ]
    applicant = case.applicant
    age = None
    birth_on = applicant.birth_date()  # decrypted: nothing in clear completes the number's mask
    if birth_on is not None and birth_on <= today:
        age = identifiers.age_on(birth_on, today)
    read_clock(case, ReadingDay.of(today))
    return {
        "case": case,
        "today": today,
        "clock": case.clock,
        "card": case.card,
        "applicant": applicant,
        "is_person": applicant.kind == applicant.Kind.PERSON,
        "age": age,
        "applicant_phone": applicant.phone_masked,
        "contact_phone": case.contact_phone_masked,
        "contact_phone_differs": case.contact_phone_digest != applicant.phone_digest,
        "authorisation": getattr(case, "authorisation", None),
        "materials": materials,
        "material_statuses": CaseMaterial.Status,
        "notices": notices,
        "transfers": transfers,
        "holding": holding,
        "timeline": timeline(
            events, points, people, {m.material_id: m.material.name for m in materials}
        ),
        "sms_log": sms_log,
        "may_reveal": actions.may_reveal(case, request.user),
        "refused": case.status == State.REFUSED,
        "read": action_views.Read(lines=materials, notices=notices, transfers=transfers),
    }


@login_required
@require_GET
def case_detail(request, number: str):
    """A case's page: header, applicant (masked), item as it stood, checklist, notices, transfers
    with the days each point held it, the timeline of its events and its message log."""
    case = get_case_for(request.user, number, queryset=_case_queryset())
    context = case_context(request, case, timezone.localdate())
    context.update(action_views.panel(request, case, context["read"]))
    return render(request, "cases/case.html", context)


@never_cache
@login_required
@require_POST
def reveal(request, number: str):
    """Show the applicant's full ID number to an entitled user, logged (`actions.reveal_number`):
    as an htmx fragment, or the case page with the number shown for a plain POST. Anyone else
    gets 403 (404 when the case is not theirs to see at all), and nothing is written."""
    case = get_case_for(request.user, number, queryset=_case_queryset())
    try:
        revealed = actions.reveal_number(case, by=request.user, address=client_ip(request))
    except actions.CaseError as error:
        if "by" in error.errors:
            return HttpResponseForbidden(" ".join(error.errors["by"]))
        problem = " ".join(message for messages in error.errors.values() for message in messages)
        if request.headers.get("HX-Request"):
            return render(request, "cases/_case_reveal.html", {"case": case, "problem": problem})
        flash.error(request, problem)
        return redirect("cases:case", case.number)
    context = {"case": case, "revealed": revealed}
    if request.headers.get("HX-Request"):
        return render(request, "cases/_case_reveal.html", context)
    full = case_context(request, case, timezone.localdate())
    full.update(action_views.panel(request, case, full["read"]))
    full["revealed"] = revealed
    return render(request, "cases/case.html", full)


@never_cache
@login_required
@require_GET
def authorisation_scan(request, number: str):
    """The signed authorisation scan of a 代办 case, shown in the browser to those who may see the
    applicant's full ID number (`actions.authorisation_scan`, logged like a reveal). Anyone else
    who may see the case gets 403, and 404 when the case is not theirs to see at all."""
    case = get_case_for(request.user, number)
    try:
        opened, content_type = actions.authorisation_scan(
            case, by=request.user, address=client_ip(request)
        )
    except actions.CaseError as error:
        problem = " ".join(message for messages in error.errors.values() for message in messages)
        if "by" in error.errors:
            return HttpResponseForbidden(problem)
        raise Http404(problem) from None
    response = FileResponse(opened, content_type=content_type)
    name = PurePath(opened.name).name
    response["Content-Disposition"] = content_disposition_header(False, f"{case.number}-{name}")
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""The ledger's list (工作台账): the cases a user may see, with its filters and their pickers, the
searches by a whole ID number or phone (kept in the session, never in a URL), live figures and
pagination. A case's own page is `case_views.py`.

Thin like the catalog pages: cases are read through `cases.scope` only, filtered through
`cases.ledger.LedgerFilter` (the one filter definition). Every page runs a fixed number of SQL
queries whatever the number of rows (tests/cases/test_ledger_pages.py).
"""

from __future__ import annotations

import secrets
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, Value, When
from django.db.models.functions import Length, Replace
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from bangban.catalog.scope import items_for
from bangban.network import access
from bangban.network.models import Membership

from . import action_views
from .ledger import IdentitySearch, LedgerFilter, identity_search
from .ledger import page as ledger_page
from .ledger import rows as ledger_rows
from .models import (
    NEAR_DEADLINE,
    OVERDUE,
    Case,
    ReadingDay,
    Transfer,
    clock_of,
    warning_of,
)
from .scope import cases_for, figures_for, transfers_to

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


def point_options(
    user, text: str = "", selected: int | None = None, browse: bool = True
) -> tuple[list, bool]:
    """(value, label) options of the points the user may see, and whether some were left out.

    Without search text: the tree from the top down, whole levels at a time while they fit in
    PICKER_LIMIT (a county admin gets the county's centres, zones, windows and towns; a town admin
    also every village of the town), indented; with `browse` false, only the selected point (what
    the ledger page draws: the rest is asked for on demand). With search text: up to SEARCH_LIMIT
    points whose name or address contains it. The selected point is always among them. One query,
    none without text, browsing or a selection."""
    if not (text or browse):
        if selected is None:
            return [], False
        return [(p.pk, p.name) for p in access.points_for(user, "view").filter(pk=selected)], False
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


def helper_options(
    user, text: str = "", selected: int | None = None, browse: bool = True
) -> tuple[list, bool]:
    """(value, label) options of the helpers and leads serving at the points the user may see (and
    the user), by name; with search text, those whose name or username contains it; with neither
    text nor `browse`, only the selected one. One query, none without text, browsing or a
    selection."""
    if not (text or browse) and selected is None:
        return [], False
    wanted = Q()
    if not (text or browse):
        wanted = Q(pk=selected)
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


def item_options(
    user, text: str = "", selected: int | None = None, browse: bool = True
) -> tuple[list, bool]:
    """(value, label) options of the items of the counties the user works in, by name; with search
    text, the items whose name, department, domain or code matches (the catalog's search); with
    neither text nor `browse`, only the selected one. One query, none without text, browsing or a
    selection."""
    if not (text or browse) and selected is None:
        return [], False
    items = items_for(user)
    wanted = items.search(text).values("pk") if text else None
    q = Q(pk__in=wanted) if wanted is not None else Q()
    if not (text or browse):
        q = Q(pk=selected)
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
    """What the template needs to draw one picker: its field, options, search text, hint. The page
    draws only the selected option, or the matches of a search text sent with the filter (without
    JavaScript, the server resolves the text); the list to browse is asked for on demand, when the
    conditions are opened (`ledger_options`): listing a county's ~480 points, its helpers and items
    on every page load cost more than the rows themselves (decision 0064)."""
    selected = _int(data.get(name))
    text = _find_text(data, name)
    options, more = OPTIONS[name](user, text, selected, browse=False)
    return {
        "field": form[name],
        "name": name,
        "options": options,
        "selected": selected,
        "text": text,
        "more": more,
        "unlisted": not text,
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
        rows = ledger_rows(keys[offset : offset + size])
        return Page(number, rows, len(keys) > offset + size, len(keys), size)
    rows, has_next = ledger_page(queryset, offset, size)
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
    figures = figures_for(user, today)
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
        "pending_transfers": transfers_to(user).filter(status=Transfer.Status.PENDING).count(),
    }
    return render(request, "cases/ledger.html", context)

"""The home page (首页) at "/", where every login lands unless `next` says otherwise (decision 0036):
each role on its own work, decided by `work_of` alone.

- Those who serve at a point (helpers, point leads) land on their cases: the transfers waiting for
  their points, the cases carrying a yellow or red card (黄牌、红牌) in their ledger, and the open
  cases they are responsible for or handle.
- Administrators (region, department, town and partner admins, supervisors, superusers) land on the
  live figures of their scope — the ledger's own figures (`CaseQuerySet.figures`) — with the cards
  and, where they may act, the transfers waiting.
- A role whose work lies in another app lands there, by URL name (`LANDING`): a special supervisor
  (特邀监督员), who sees no case, lands on their inspections (明查暗访).
- An account with no role yet is told so.

Everything is read through the gate (`cases.scope.cases_for`, `network.access`), in a fixed number of
queries whatever the size of the scope.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from bangban.network import access
from bangban.network.models import SERVING_ROLES, Role

from .ledger import rows as ledger_rows
from .models import NEAR_DEADLINE, OVERDUE, Case, ReadingDay, Transfer, warning_q
from .scope import cases_for, figures_for, transfers_to
from .views import _rate, read_clock
from .workflow import OPEN

#: Rows of each list on the home page; the ledger (or the transfers page) has the rest.
HOME_ROWS = 10

#: The roles that land on the figures of their scope. Not the special supervisor (特邀监督员): no
#: case is in their scope, so their figures would be zeros; they land by `LANDING`.
ADMIN_ROLES = (
    Role.REGION_ADMIN,
    Role.SUPERVISOR,
    Role.DEPARTMENT_ADMIN,
    Role.TOWN_ADMIN,
    Role.PARTNER_ADMIN,
)

#: The roles whose work is another app's page, named here and resolved when asked (`cases` sits
#: below `supervision` and never imports it). Any other role of the same user wins: a special
#: supervisor who also serves at a point lands on their cases.
LANDING = {Role.SPECIAL_SUPERVISOR: "supervision:inspections"}

HELPER, ADMIN, NONE = "helper", "admin", "none"


def work_of(user) -> str:
    """Where `user` lands: ADMIN (the figures of their scope) when any of their roles administers,
    HELPER (their cases) when they only serve at points, else a URL name of `LANDING` for their
    role, NONE without a role."""
    if access.is_superuser(user):
        return ADMIN
    roles = {m.role for m in access.memberships(user)}
    if roles & set(ADMIN_ROLES):
        return ADMIN
    if roles & set(SERVING_ROLES):
        return HELPER
    for role, name in LANDING.items():
        if role in roles:
            return name
    return NONE


def _landing_url(name: str) -> str | None:
    """The page named `name`, or None while no app serves it (the page is another app's)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _rows(cases, day: ReadingDay) -> list[Case]:
    """The first HOME_ROWS of an ordered queryset of cases, as ledger rows with their clock read."""
    keys = list(cases.values_list("pk", flat=True)[:HOME_ROWS])
    return [read_clock(case, day) for case in ledger_rows(keys)]


def _pending_transfers(user):
    """The transfers waiting for a point the user may act at, those named to the user first."""
    return transfers_to(user).filter(status=Transfer.Status.PENDING)


def _where(user) -> list[str]:
    """What the user's roles are bound to, as the page names them (沂源县, 鲁村镇便民服务中心…)."""
    names = []
    for m in access.memberships(user):
        bound = m.region or m.point or m.department or m.organisation
        names.append(f"{m.get_role_display()} · {bound.name if bound else ''}")
    return names


@login_required
@require_GET
def home(request):
    """首页: the user's own work, by `work_of`."""
    user = request.user
    work = work_of(user)
    if work not in (ADMIN, HELPER, NONE):
        url = _landing_url(work)
        if url is not None:
            return redirect(url)
        work = NONE
    context = {"work": work, "where": _where(user)}
    if work == NONE:
        return render(request, "cases/home.html", context)
    today = timezone.localdate()
    day = ReadingDay.of(today)
    scoped = cases_for(user)
    figures = figures_for(user, today)
    warned = scoped.filter(warning_q(OVERDUE, today) | warning_q(NEAR_DEADLINE, today))
    # The earliest deadline first, so red (overdue) before yellow; a case due for deemed
    # acceptance that nobody has recorded yet has no stored deadline but its deemed one.
    deadline = Coalesce("promised_deadline", "deemed_deadline")
    pending = _pending_transfers(user)
    named_first = SqlCase(
        When(to_helper=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    context.update(
        {
            "today": today,
            "figures": figures,
            "month_rate": _rate(figures["month_on_time"], figures["month_completed"]),
            "quarter_rate": _rate(figures["quarter_on_time"], figures["quarter_completed"]),
            "cards": _rows(warned.order_by(deadline, "pk"), day),
            "transfers": list(
                pending.select_related(
                    "case__revision", "case__applicant", "from_point", "to_point", "to_helper"
                ).order_by(named_first, "sent_at", "pk")[:HOME_ROWS]
            ),
            "transfer_count": pending.count(),
            "may_register": access.points_for(user, "act").exists(),
        }
    )
    if work == HELPER:
        mine = scoped.open().filter(Q(responsible=user) | Q(handling_helper=user))
        context["mine"] = _rows(mine.order_by(deadline, "-registered_on", "pk"), day)
        context["mine_count"] = mine.count()
        query = urlencode({"helper": user.pk, "state": sorted(OPEN)}, doseq=True)
        context["mine_url"] = f"{reverse('cases:ledger')}?{query}"
    return render(request, "cases/home.html", context)

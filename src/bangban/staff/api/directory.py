"""The staff API: the linkage directory (联动信息库), the one deliberate exception to scope."""

from __future__ import annotations

from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Schema

from bangban.kernel.api import Limit, Offset, refuse_unknown_query
from bangban.kernel.schemas import NO_CONTROL, errors
from bangban.network.models import Domain, ServicePoint

from .. import directory
from .common import router

# --- The linkage directory (联动信息库): the one deliberate exception to scope --------------------
# Any signed-in user reads the whole deployment's directory, through staff/directory.py's queries and
# rows only (directory fields, never model objects): a page costs a fixed number of queries.

TownCode = Query(
    None,
    pattern=r"^([0-9]{9}|[0-9]{9}000)$",
    description="town code (9 digits, or its 12-digit form)",
)
DirectoryDomain = Query(
    None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$", description="domain code"
)
DirectoryText = Query(
    None,
    max_length=100,
    pattern=NO_CONTROL,
    description="Chinese text: a point's name (points); a person's or their point's name (helpers)",
)
DIRECTORY_QUERY = {"town", "domain", "q", "limit", "offset"}
_KIND_BY_LABEL = {str(label): value for value, label in ServicePoint.Kind.choices}


class DirectoryPointOut(Schema):
    id: int
    name: str
    kind: Literal[tuple(ServicePoint.Kind.values)]  # type: ignore[valid-type]
    town: str = Field(description="the town (or, for county-level points, the county) it lies in")
    domains: list[str] = Field(description="domain codes: its own, or those its helpers handle")
    hours: str = Field(description="weekly opening hours in one line (Chinese)")
    phone: str


class DirectoryPointListOut(Schema):
    items: list[DirectoryPointOut]
    count: int


class DirectoryHelperOut(Schema):
    name: str
    points: list[str] = Field(description="names of the points where they serve")
    domains: list[str] = Field(description="domain codes")
    work_phone: str


class DirectoryHelperListOut(Schema):
    items: list[DirectoryHelperOut]
    count: int


def _directory_page(queryset, rows_of, limit: int, offset: int) -> dict:
    today = timezone.localdate()
    count = queryset.count()
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    # Domain codes instead of the page's names: the same rows, keyed as the rest of the API.
    codes = dict(Domain.objects.values_list("pk", "code"))
    return {"items": rows_of(ids, on=today, domains=codes), "count": count}


def _directory_filter(town: str | None, domain: str | None, q: str | None) -> directory.Filter:
    return directory.Filter(place=town or "", domain=domain or "", text=q or "")


@router.get(
    "/directory/points",
    response={200: DirectoryPointListOut, **errors(422)},
    summary="The linkage directory: points",
)
def directory_points(
    request,
    town: str | None = TownCode,
    domain: str | None = DirectoryDomain,
    q: str | None = DirectoryText,
    limit: int = Limit,
    offset: int = Offset,
):
    """Every active point of the deployment (any signed-in user: the one exception to scope), in
    tree order, with directory fields only. `domain`: points of that domain or with a qualified
    helper handling it."""
    refuse_unknown_query(request, DIRECTORY_QUERY)
    f = _directory_filter(town, domain, q)
    page = _directory_page(
        directory.points(f, on=timezone.localdate()), directory.point_rows, limit, offset
    )
    for row in page["items"]:
        row["kind"] = _KIND_BY_LABEL.get(str(row["kind"]), row["kind"])
    return page


@router.get(
    "/directory/helpers",
    response={200: DirectoryHelperListOut, **errors(422)},
    summary="The linkage directory: qualified helpers",
)
def directory_helpers(
    request,
    town: str | None = TownCode,
    domain: str | None = DirectoryDomain,
    q: str | None = DirectoryText,
    limit: int = Limit,
    offset: int = Offset,
):
    """Every helper of the deployment qualified to serve today at an active point (any signed-in
    user), by name, with directory fields only: no username, e-mail, ID number or personal phone."""
    refuse_unknown_query(request, DIRECTORY_QUERY)
    f = _directory_filter(town, domain, q)
    return _directory_page(
        directory.helpers(f, on=timezone.localdate()), directory.helper_rows, limit, offset
    )

"""The catalog's JSON API: items, their revisions and materials (see docs/api.md, 服务事项).

Thin, like the network's API (network/api/): validate, ask the catalog's scope (`scope.catalog_counties`), call an action or a
queryset, render. Everyone working in a county reads its whole catalog; its region admins (county,
city, province) create and revise items. Every change of what an item says is a new immutable
revision (`actions.revise_item`); files of materials are not uploaded here, so a material keeps the
files of the current revision's material of the same name.

Status codes: 401 no or bad token; 403 an item or county the caller sees but may not maintain; 404
missing or not visible (also the county, department and domains named in a body); 409 well-formed
but against a rule of the catalog (`CatalogError`, located at the field sent); 422 malformed input.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, NO_CONTROL, errors
from bangban.network import access
from bangban.network.models import Domain

from . import actions
from .actions import ItemData, MaterialData
from .models import ItemRevision, Material, ServiceItem
from .schemas import (
    ActiveIn,
    ItemCreateIn,
    ItemFieldsIn,
    ItemListOut,
    ItemOut,
    ItemUpdateIn,
    LevelValue,
    MaterialListOut,
    ModeValue,
    RevisionListOut,
)
from .scope import can_edit_catalog, catalog_counties, items_for

router = Router(tags=["catalog"])

#: Revision numbers are a 32-bit column on PostgreSQL.
MAX_REVISION = 2**31 - 1

ItemId = Path(..., ge=1, le=MAX_ID)

#: What an item's answer reads besides the revision's domains and materials.
ITEM_RELATED = ("county", "current", "current__department")


# --- Rendering -------------------------------------------------------------------------------------


def _limit(value: int, unit: str) -> dict:
    return {"value": value, "unit": unit}


def _summary(item: ServiceItem, revision: ItemRevision) -> dict:
    """What a list shows of an item (`revision` with its department; domains prefetched)."""
    return {
        "id": item.pk,
        "county": item.county.code,
        "county_name": item.county.name,
        "implementation_code": item.implementation_code,
        "basic_code": revision.basic_code,
        "name": revision.name,
        "keywords": list(revision.keyword_list),
        "department": revision.department_id,
        "department_name": revision.department.name,
        "domains": [d.code for d in revision.domains.all()],
        "modes": revision.modes,
        "levels": revision.levels,
        "legal_limit": _limit(revision.legal_limit, revision.legal_limit_unit),
        "promised_limit": _limit(revision.promised_limit, revision.promised_limit_unit),
        "active": item.active,
    }


def _file_url(request, material: Material, which: str, public: bool) -> str | None:
    """The public portal's address of a material's blank form or sample. The portal serves only
    the files of current revisions of items in use, so None for the others, as for no file."""
    if not public or not getattr(material, which):
        return None
    return request.build_absolute_uri(reverse("portal:material_file", args=[material.pk, which]))


def material_out(request, m: Material, *, public: bool) -> dict:
    """A material; `public`: its files are served on the public pages (see `_file_url`)."""
    return {
        "position": m.position,
        "name": m.name,
        "kind": m.kind,
        "form": m.form,
        "necessity": m.necessity,
        "source": m.source,
        "originals": m.originals,
        "copies": m.copies,
        "standard": m.standard,
        "notes": m.notes,
        "has_blank_form": bool(m.blank_form),
        "has_sample": bool(m.sample),
        "blank_form_url": _file_url(request, m, "blank_form", public),
        "sample_url": _file_url(request, m, "sample", public),
    }


def revision_out(r: ItemRevision) -> dict:
    return {"number": r.number, "created_at": r.created_at, "source": r.source, "note": r.note}


def item_out(request, item: ServiceItem, revision: ItemRevision) -> dict:
    """An item as `revision` states it, in full, with its materials in order."""
    public = item.active and revision.pk == item.current_id
    out = _summary(item, revision)
    out.update(
        {
            "version": revision.version,
            "type": {
                "code": revision.type_code,
                "name": revision.type_name,
                "system": revision.type_system,
            },
            "fee": {"charged": revision.fee_charged, "note": revision.fee_note},
            "guide": revision.guide,
            "revision": revision_out(revision),
            "materials": [
                material_out(request, m, public=public) for m in revision.materials.all()
            ],
        }
    )
    return out


def _current_out(request, item_id: int) -> dict:
    item = ServiceItem.objects.select_related(*ITEM_RELATED).get(pk=item_id)
    return item_out(request, item, item.current)


# --- Scope and bodies ------------------------------------------------------------------------------


def _items(user):
    """The items of the counties whose catalog the caller sees."""
    return items_for(user, "view")


def _get_item(user, item_id: int, action: access.Action) -> ServiceItem:
    """The item if the caller sees it (404 otherwise, missing or not); for "change", 403 when the
    caller sees it but may not maintain its county's catalog."""
    item = _items(user).select_related(*ITEM_RELATED).filter(pk=item_id).first()
    if item is None:
        raise ApiError(404, ["path", "item_id"], _("事项不存在或无权访问。"), "not_found")
    if action != "view" and not can_edit_catalog(user, item.county):
        raise Forbidden(["path", "item_id"], _("您无权维护该县的事项目录。"))
    return item


def _data(user, payload: ItemFieldsIn) -> tuple[ItemData, list[MaterialData]]:
    """What the body says, as the actions take it. The department must be one the caller
    administers, the domains must exist (404 otherwise); everything else is `check_item`'s."""
    department = access.departments_for(user, "bind").filter(pk=payload.department).first()
    if department is None:
        raise NotVisible("department", _("实施部门"))
    codes = set(payload.domains)
    domains = frozenset(Domain.objects.filter(code__in=codes))
    if len(domains) != len(codes):
        raise NotVisible("domains", _("领域"))
    data = ItemData(
        basic_code=payload.basic_code,
        version=payload.version,
        name=payload.name,
        type_code=payload.type_code,
        type_name=payload.type_name,
        type_system=payload.type_system,
        department=department,
        domains=domains,
        levels=frozenset(payload.levels),
        modes=frozenset(payload.modes),
        legal_limit=payload.legal_limit,
        legal_limit_unit=payload.legal_limit_unit,
        promised_limit=payload.promised_limit,
        promised_limit_unit=payload.promised_limit_unit,
        fee_charged=payload.fee_charged,
        fee_note=payload.fee_note,
        guide=payload.guide,
        keywords=tuple(payload.keywords),
    )
    # blank_form and sample stay None: a material keeps the files of its namesake.
    materials = [
        MaterialData(
            name=m.name,
            kind=m.kind,
            form=m.form,
            necessity=m.necessity,
            source=m.source,
            originals=m.originals,
            copies=m.copies,
            standard=m.standard,
            notes=m.notes,
        )
        for m in payload.materials
    ]
    return data, materials


# --- Items -----------------------------------------------------------------------------------------


@router.get("/items", response={200: ItemListOut, **errors(422)}, summary="List service items")
def list_items(
    request,
    q: str | None = Query(
        None,
        max_length=100,
        pattern=NO_CONTROL,
        description="Chinese text in the name, or the start of the implementation or basic code",
    ),
    domain: str | None = Query(
        None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$", description="domain code"
    ),
    mode: ModeValue | None = None,
    level: LevelValue | None = None,
    county: str | None = Query(
        None,
        pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$",
        description="county code (a city or province code: all its counties)",
    ),
    active: bool = Query(True, description="items in use (default) or taken out of use"),
    limit: int = Limit,
    offset: int = Offset,
):
    """The items of the counties whose catalog the caller sees, by county and implementation code,
    each as its current revision states it."""
    refuse_unknown_query(
        request, {"q", "domain", "mode", "level", "county", "active", "limit", "offset"}
    )
    qs = _items(request.auth).filter(active=active)
    if q:
        qs = qs.search(q)
    if domain is not None:
        qs = qs.filter(current__domains__code=domain)
    if mode is not None:
        qs = qs.with_mode(mode)
    if level is not None:
        qs = qs.at_level(level)
    if county is not None:
        qs = qs.filter(county__code__startswith=county)
    count = qs.count()
    # Only the keys are sorted and sliced, then the page's items read in full (as on the list
    # page): sorting every column of 45,000 items took PostgreSQL 130 ms (bench_catalog.py).
    order = ("county__code", "implementation_code")
    keys = qs.order_by(*order).values("pk")[offset : offset + limit]
    rows = (
        ServiceItem.objects.filter(pk__in=keys)
        .select_related(*ITEM_RELATED)
        .prefetch_related("current__domains")
        .order_by(*order)
    )
    return {
        "items": [{**_summary(i, i.current), "revision": i.current.number} for i in rows],
        "count": count,
    }


@router.get(
    "/items/{item_id}", response={200: ItemOut, **errors(404, 422)}, summary="Get a service item"
)
def get_item(request, item_id: int = ItemId):
    """The item as its current revision states it, with its materials in order."""
    refuse_unknown_query(request, set())
    item = _get_item(request.auth, item_id, "view")
    return item_out(request, item, item.current)


@router.get(
    "/items/{item_id}/materials",
    response={200: MaterialListOut, **errors(404, 422)},
    summary="List an item's materials",
)
def list_materials(request, item_id: int = ItemId):
    """The materials of the item's current revision, in the list's order, all of them (a list a
    helper reads out at the first contact is short: no paging)."""
    refuse_unknown_query(request, set())
    item = _get_item(request.auth, item_id, "view")
    items = [material_out(request, m, public=item.active) for m in item.current.materials.all()]
    return {"items": items, "count": len(items)}


@router.post(
    "/items",
    response={201: ItemOut, **errors(400, 403, 404, 409, 422)},
    summary="Add a service item",
)
def add_item(request, payload: ItemCreateIn):
    """A new item of `county` with its first revision (region admins of the county). 409 names
    every rule broken at once, each at its field."""
    user = request.auth
    county = catalog_counties(user, "view").filter(code=payload.county).first()
    if county is None:
        raise NotVisible("county", _("县级区划"))
    if not can_edit_catalog(user, county):
        raise Forbidden(["body", "county"], _("您无权维护该县的事项目录。"))
    data, materials = _data(user, payload)
    item = actions.create_item(
        county,
        implementation_code=payload.implementation_code,
        data=data,
        materials=materials,
        by=user,
        source=ItemRevision.Source.API,
    )
    return Status(201, _current_out(request, item.pk))


@router.put(
    "/items/{item_id}",
    response={200: ItemOut, **errors(400, 403, 404, 409, 422)},
    summary="Revise a service item",
)
def update_item(request, payload: ItemUpdateIn, item_id: int = ItemId):
    """The item's whole new state, materials included, recorded as its next revision; the
    revisions before stay as they were. Sending what the current revision already says adds no
    revision. Materials keep the files of the current revision's material of the same name."""
    user = request.auth
    item = _get_item(user, item_id, "change")
    data, materials = _data(user, payload)
    actions.revise_item(
        item,
        data=data,
        materials=materials,
        by=user,
        source=ItemRevision.Source.API,
        note=payload.note,
    )
    return _current_out(request, item.pk)


@router.post(
    "/items/{item_id}/active",
    response={200: ItemOut, **errors(400, 403, 404, 422)},
    summary="Put a service item in or out of use",
)
def set_active(request, payload: ActiveIn, item_id: int = ItemId):
    """Take an item out of use (`false`: no longer offered when registering a case) or back into
    use. Not a revision: what the item says is unchanged."""
    user = request.auth
    item = _get_item(user, item_id, "change")
    actions.set_item_active(item, active=payload.active, by=user)
    return _current_out(request, item.pk)


# --- Revisions -------------------------------------------------------------------------------------


@router.get(
    "/items/{item_id}/revisions",
    response={200: RevisionListOut, **errors(404, 422)},
    summary="List an item's revisions",
)
def list_revisions(request, item_id: int = ItemId, limit: int = Limit, offset: int = Offset):
    """Every revision of the item, latest first."""
    refuse_unknown_query(request, {"limit", "offset"})
    item = _get_item(request.auth, item_id, "view")
    qs = item.revisions.all()
    count = qs.count()
    rows = qs.order_by("-number")[offset : offset + limit]
    items = [{**revision_out(r), "name": r.name, "current": r.pk == item.current_id} for r in rows]
    return {"items": items, "count": count}


@router.get(
    "/items/{item_id}/revisions/{number}",
    response={200: ItemOut, **errors(404, 422)},
    summary="Get one revision of an item",
)
def get_revision(request, item_id: int = ItemId, number: int = Path(..., ge=1, le=MAX_REVISION)):
    """The item as that revision stated it (what an applicant was told while it was current)."""
    refuse_unknown_query(request, set())
    item = _get_item(request.auth, item_id, "view")
    revision = item.revisions.select_related("department").filter(number=number).first()
    if revision is None:
        raise ApiError(404, ["path", "number"], _("该事项没有这一修订版本。"), "not_found")
    return item_out(request, item, revision)

"""The catalog pages: the item list with search and filters, an item's page (everything to tell an
applicant at first contact, 一次性告知), an older revision, the edit forms, taking an item out of
use, and the printable one-time notice list with its QR code.

Thin on purpose, like the network and staff pages: items are read through the gate
(`scope.catalog_counties`; 404 for missing and not-allowed alike) and every write goes through
`actions.py`. The Excel import and export live in `excel_views.py`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bangban.network import access
from bangban.network.models import Domain, ServicePoint

from . import actions
from .forms import ItemForm, ItemSearchForm, MaterialFormSet, add_catalog_errors
from .models import ItemRevision, Material, Mode, ServiceItem, mode_field
from .places import county_points, handling_places
from .qr import qr_svg
from .scope import can_edit_catalog, catalog_counties, get_item_for

PAGE_SIZE = 50
#: The list's order: by county, then implementation code (unique within a county).
LIST_ORDER = ("county__code", "implementation_code", "pk")
_DOMAINS = Prefetch("domains", queryset=Domain.objects.order_by("position", "code"))
MATERIALS_PREFIX = "materials"


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _with_revision(queryset=None):
    qs = queryset if queryset is not None else ServiceItem.objects.all()
    return qs.select_related("county", "current__department", "current__created_by")


# --- The list -------------------------------------------------------------------------------------


@login_required
def items(request):
    """The items of the counties the user works in: search, filters, one page at a time."""
    user = request.user
    counties = list(catalog_counties(user).order_by("code"))
    editable = list(catalog_counties(user, "change").values_list("pk", flat=True))
    domains = list(Domain.objects.order_by("position", "code"))
    search = ItemSearchForm(
        request.GET or None, domains=domains, counties=counties, may_edit=bool(editable)
    )
    f = search.filters()
    rows = ServiceItem.objects.filter(county__in=[c.pk for c in counties], current__isnull=False)
    # Items out of use are shown only to those who maintain them, and only when asked.
    shown = Q(active=True) | Q(county__in=editable) if f["inactive"] else Q(active=True)
    rows = rows.filter(shown)
    rows = rows.matching(
        q=f["q"],
        county=f["county"],
        domain=f["domain"],
        mode=f["mode"],
        level=f["level"],
        counties=[c.pk for c in counties],
    )
    # Only the keys are sorted and sliced; the page's items are then read in full, in the same
    # query. Sorting a province's 45,000 items with every column of their revision took 150 ms
    # on PostgreSQL for page 200 (bench/bench_catalog.py).
    page = _page(request, rows.order_by(*LIST_ORDER).values_list("pk", flat=True))
    page.object_list = (
        ServiceItem.objects.filter(pk__in=page.object_list)
        .select_related("county", "current__department")
        .prefetch_related(Prefetch("current__domains", queryset=_DOMAINS.queryset))
        .order_by(*LIST_ORDER)
    )
    filtered = any(f[name] for name in ("q", "domain", "mode", "level", "county"))
    query = request.GET.copy()
    query.pop("page", None)
    export_url = reverse("catalog:export") + (f"?{query.urlencode()}" if query else "")
    context = {
        "search": search,
        "filters": f,
        "filtered": filtered,
        "page": page,
        "may_edit": bool(editable),
        "many_counties": len(counties) > 1,
        "export_url": export_url,
    }
    return render(request, "catalog/items.html", context)


# --- An item --------------------------------------------------------------------------------------


def _modes(revision: ItemRevision) -> list[tuple[str, bool]]:
    return [(mode.label, getattr(revision, mode_field(mode))) for mode in Mode]


def _revision_context(item: ServiceItem, revision: ItemRevision) -> dict:
    """What the item page and a revision page show of one revision."""
    prefetch_related_objects([revision], _DOMAINS)
    domains = list(revision.domains.all())
    materials = list(revision.materials.order_by("position"))
    return {
        "item": item,
        "revision": revision,
        "domains": domains,
        "modes": _modes(revision),
        "places": handling_places(item, revision),
        "materials": materials,
        "has_deferrable": any(m.necessity == Material.Necessity.DEFERRABLE for m in materials),
        "portal_url": reverse("portal:item", args=[item.pk]),
    }


@login_required
def item_detail(request, pk: int):
    user = request.user
    item = get_item_for(user, pk, queryset=_with_revision())
    context = _revision_context(item, item.current)
    context["revisions"] = item.revisions.select_related("created_by").order_by("-number")
    context["may_edit"] = can_edit_catalog(user, item.county)
    context["historical"] = False
    return render(request, "catalog/item.html", context)


@login_required
def revision_detail(request, pk: int, number: int):
    """An older revision, read-only, as an applicant was told it then."""
    user = request.user
    item = get_item_for(user, pk, queryset=_with_revision())
    try:
        revision = item.revisions.select_related("department", "created_by").get(number=number)
    except ItemRevision.DoesNotExist as error:
        raise Http404 from error
    if revision.pk == item.current_id:
        return redirect("catalog:item", pk=item.pk)
    context = _revision_context(item, revision)
    context["historical"] = True
    return render(request, "catalog/revision.html", context)


@login_required
@require_POST
def item_active(request, pk: int):
    """Take an item out of use or back into use (POST only)."""
    user = request.user
    item = get_item_for(user, pk, "change", queryset=_with_revision())
    active = request.POST.get("active") == "1"
    actions.set_item_active(item, active=active, by=user)
    if active:
        messages.success(request, _("已启用“%(name)s”。") % {"name": item})
    else:
        messages.success(
            request, _("已停用“%(name)s”，登记新的帮办代办事项时不再列出。") % {"name": item}
        )
    return redirect("catalog:item", pk=item.pk)


# --- New and edit ----------------------------------------------------------------------------------


def _add_row(request):
    """The "add a material" button without JavaScript: one more empty row, nothing saved."""
    data = request.POST.copy()
    total = data.get(f"{MATERIALS_PREFIX}-TOTAL_FORMS", "0")
    data[f"{MATERIALS_PREFIX}-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
    return data


def _bound(request, *, county, new: bool, initial=None, existing=None, materials_initial=None):
    """The item form and the materials formset, bound to the POST (None on GET)."""
    posted = request.method == "POST"
    data = _add_row(request) if posted and "add_row" in request.POST else request.POST
    form = ItemForm(data if posted else None, county=county, new=new, initial=initial)
    formset = MaterialFormSet(
        data if posted else None,
        request.FILES if posted else None,
        prefix=MATERIALS_PREFIX,
        initial=materials_initial,
        existing=existing,
    )
    return form, formset


def _valid(request, form, formset) -> bool:
    form_ok = form.is_valid()
    formset_ok = formset.is_valid()
    return "add_row" not in request.POST and form_ok and formset_ok


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def item_new(request):
    """A new item of a county the user maintains (chosen first when there are several)."""
    user = request.user
    counties = list(catalog_counties(user, "change").order_by("code"))
    if not counties:
        raise Http404
    chosen = request.GET.get("county", "")
    county = counties[0] if len(counties) == 1 else None
    for candidate in counties:
        if str(candidate.pk) == chosen:
            county = candidate
    if county is None:
        return render(request, "catalog/item_county.html", {"counties": counties})
    form, formset = _bound(request, county=county, new=True)
    if request.method == "POST" and _valid(request, form, formset):
        materials = formset.material_data()
        try:
            item = actions.create_item(
                county,
                implementation_code=form.cleaned_data["implementation_code"],
                data=form.item_data(),
                materials=materials,
                by=user,
            )
        except actions.CatalogError as error:
            add_catalog_errors(error, form, formset)
        else:
            messages.success(request, _("已新增事项“%(name)s”。") % {"name": item})
            return redirect("catalog:item", pk=item.pk)
    context = {
        "form": form,
        "formset": formset,
        "material_rows": [(f, None) for f in formset],
        "county": county,
        "many_counties": len(counties) > 1,
        "item": None,
    }
    return render(request, "catalog/item_form.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def item_edit(request, pk: int):
    """Edit an item: saving records a new revision; the ones before stay as they were."""
    user = request.user
    item = get_item_for(user, pk, "change", queryset=_with_revision())
    current = item.current
    existing = {m.pk: m for m in current.materials.order_by("position")}
    form, formset = _bound(
        request,
        county=item.county,
        new=False,
        initial=ItemForm.initial_of(current),
        existing=existing,
        materials_initial=MaterialFormSet.initial_of(existing.values()),
    )
    if request.method == "POST" and _valid(request, form, formset):
        materials = formset.material_data()
        try:
            revision = actions.revise_item(
                item,
                data=form.item_data(),
                materials=materials,
                by=user,
                note=form.cleaned_data["note"],
            )
        except actions.CatalogError as error:
            add_catalog_errors(error, form, formset)
        else:
            if revision.pk == current.pk:
                messages.info(request, _("内容没有变化，未新增版本。"))
            else:
                messages.success(
                    request,
                    _("已保存为第 %(n)s 版。") % {"n": revision.number},
                )
            return redirect("catalog:item", pk=item.pk)
    context = {
        "form": form,
        "formset": formset,
        "material_rows": [(f, formset.source_of(f)) for f in formset],
        "county": item.county,
        "item": item,
    }
    return render(request, "catalog/item_form.html", context)


# --- The printable one-time notice list ----------------------------------------------------------


def _default_point(user, item: ServiceItem) -> ServicePoint | None:
    """The point of the user's first point-bound membership, else the item's county centre."""
    bound = sorted(
        (m for m in access.memberships(user) if m.point_id is not None), key=lambda m: m.pk
    )
    if bound:
        return bound[0].point
    return (
        ServicePoint.objects.filter(county_id=item.county_id, kind=ServicePoint.Kind.COUNTY_CENTRE)
        .order_by("pk")
        .first()
    )


def _point_choices(user, item: ServiceItem, default: ServicePoint | None) -> list[ServicePoint]:
    """The points offered on the print page: the default, the user's own points, and the item's
    county-level points the user may see."""
    points = [default] if default else []
    points += [m.point for m in access.memberships(user) if m.point_id is not None]
    here = [p.pk for p in county_points(item, item.current)]
    points += list(access.points_for(user, "view").filter(pk__in=here).order_by("name", "pk"))
    unique: dict[int, ServicePoint] = {}
    for point in points:
        unique.setdefault(point.pk, point)
    return list(unique.values())


@login_required
def item_print(request, pk: int):
    """The one-time notice list (一次性告知清单) on one A4 page, for the applicant to take away:
    the materials, the limits, the ways, the point to come back to, and a QR code to the public
    item page."""
    user = request.user
    item = get_item_for(user, pk, queryset=_with_revision())
    default = _default_point(user, item)
    point = default
    chosen = request.GET.get("point", "").strip()
    if chosen.isascii() and chosen.isdigit() and (default is None or int(chosen) != default.pk):
        point = access.get_point_for(user, int(chosen))
    portal_url = request.build_absolute_uri(reverse("portal:item", args=[item.pk]))
    context = {
        "item": item,
        "revision": item.current,
        "materials": list(item.current.materials.order_by("position")),
        "modes": item.current.mode_labels,
        "point": point,
        "points": _point_choices(user, item, default),
        "today": timezone.localdate(),
        "teller": user.get_full_name() or user.get_username(),
        "teller_phone": getattr(getattr(user, "helper_profile", None), "work_phone", ""),
        "portal_url": portal_url,
        "qr": qr_svg(portal_url, label=_("扫码查看事项办事指南")) if item.active else "",
        "deferrable": Material.Necessity.DEFERRABLE,
    }
    return render(request, "catalog/item_print.html", context)

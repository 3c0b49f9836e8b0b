"""The public pages (no login): an item as applicants read it (the page the QR code of the printed
one-time notice list opens) and the blank forms and samples of its materials.

Only an active item's current revision is public; anything else is 404, like a missing page.
"""

from __future__ import annotations

import os

from django.db.models import F, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bangban.catalog.models import Material, ServiceItem
from bangban.catalog.places import handling_places
from bangban.network.models import Domain

FILE_FIELDS = ("blank_form", "sample")


@require_safe
def item(request, pk: int):
    try:
        found = (
            ServiceItem.objects.active()
            .filter(current__isnull=False)
            .select_related("county", "current__department")
            .prefetch_related(
                Prefetch("current__domains", queryset=Domain.objects.order_by("position", "code"))
            )
            .get(pk=pk)
        )
    except ServiceItem.DoesNotExist as error:
        raise Http404 from error
    revision = found.current
    materials = list(revision.materials.order_by("position"))
    context = {
        "item": found,
        "revision": revision,
        "materials": materials,
        "has_deferrable": any(m.necessity == Material.Necessity.DEFERRABLE for m in materials),
        "places": handling_places(found, revision),
    }
    return render(request, "portal/item.html", context)


@require_safe
def material_file(request, pk: int, which: str):
    """The blank form or sample of a material of an active item's current revision, as a
    download; 404 for anything else (an older revision's material, no file, a bad `which`)."""
    if which not in FILE_FIELDS:
        raise Http404
    material = (
        Material.objects.filter(pk=pk, revision__item__active=True)
        .filter(revision__item__current=F("revision"))
        .first()
    )
    file = getattr(material, which, None) if material is not None else None
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(file.name))

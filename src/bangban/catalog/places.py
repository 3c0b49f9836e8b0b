"""Where an item is handled, as a helper or an applicant is told it: at county level the domain
sub-zones of its domains and the windows of its department (in the item's county), then the town
centres, village stations and partner stations as its levels say.

Shared by the catalog's item page and the portal's public item page, so both say the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from bangban.network.models import ServicePoint

from .models import ItemRevision, ServiceItem

Kind = ServicePoint.Kind


@dataclass(frozen=True)
class Place:
    """A named place (a point, with its address and phone) or a kind of place ("各村…")."""

    name: str
    address: str = ""
    phone: str = ""
    level: str = ""


def county_points(item: ServiceItem, revision: ItemRevision) -> list[ServicePoint]:
    """The active points of the item's county that handle it at county level: the sub-zones of its
    domains and the windows of its department; the dedicated zone (or the centre) when there are
    none. One or two queries."""
    domain_ids = [d.pk for d in revision.domains.all()]
    points = list(
        ServicePoint.objects.filter(county_id=item.county_id, active=True)
        .filter(_subzone_or_window(domain_ids, revision.department_id))
        .order_by("kind", "domain__position", "name", "pk")
    )
    if points:
        return points
    fallback = (
        ServicePoint.objects.filter(
            county_id=item.county_id,
            active=True,
            kind__in=[Kind.DEDICATED_ZONE, Kind.COUNTY_CENTRE],
        )
        .order_by("-kind")  # dedicated_zone before county_centre
        .first()
    )
    return [fallback] if fallback else []


def _subzone_or_window(domain_ids, department_id) -> Q:
    return Q(kind=Kind.DOMAIN_SUBZONE, domain_id__in=domain_ids) | Q(
        kind=Kind.DEPARTMENT_WINDOW, department_id=department_id
    )


def handling_places(item: ServiceItem, revision: ItemRevision) -> list[Place]:
    """Every place where `revision` of `item` can be handled, county level first."""
    places: list[Place] = []
    if revision.at_county:
        places += [
            Place(name=p.name, address=p.address, phone=p.phone, level="county")
            for p in county_points(item, revision)
        ]
    if revision.at_town:
        places.append(Place(name=_("各镇（街道）便民服务中心"), level="town"))
    if revision.at_village:
        places.append(Place(name=_("各村（社区）便民服务站"), level="village"))
    if revision.at_partner:
        places.append(
            Place(name=_("合作网点（银行、邮政、商超等帮办代办服务站）"), level="partner")
        )
    return places

"""Template helpers of the catalog pages (and the portal's item page)."""

from __future__ import annotations

import os

from django import template
from django.utils.translation import gettext as _

from bangban.catalog.models import LimitUnit

register = template.Library()


@register.filter
def limit(number, unit: str) -> str:
    """A time limit as a list states it: "1 个工作日", "30 个自然日", or "即办" for 0."""
    if number in (None, ""):
        return ""
    if int(number) == 0:
        return _("即办")
    if unit == LimitUnit.NATURAL:
        return _("%(n)s 个自然日") % {"n": number}
    return _("%(n)s 个工作日") % {"n": number}


@register.filter
def filename(file) -> str:
    """The name of a stored file without its folder."""
    return os.path.basename(getattr(file, "name", "") or "")

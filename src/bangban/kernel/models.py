"""Model building blocks any app may use (the kernel imports no domain app).

`optional_link` says once what most of the network's and the staff's links are: a reference that
may be empty and that protects what it points at (a department, a point, an organisation is never
deleted while something names it; it is deactivated instead).
"""

from __future__ import annotations

from django.db import models


def optional_link(
    to, verbose_name, *, related_name: str | None = None, one_to_one: bool = False
) -> models.ForeignKey:
    """A nullable, PROTECTed foreign key (or one-to-one link) to `to`."""
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )

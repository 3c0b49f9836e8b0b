"""The staff pages: helpers (list, page, profile edit) and trainings (organisers, sessions).

Thin on purpose, like the network pages: everything is read through the gate
(`network.access.helpers_visible_to` / `organisers_for`, 404 for missing and not-allowed alike) and
every write goes through `staff.actions`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def helpers(request):
    """The helpers in the user's scope."""
    return render(request, "staff/helpers.html", {})

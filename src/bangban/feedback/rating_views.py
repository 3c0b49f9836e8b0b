"""The staff's list of ratings (评价) and one rating's page. Thin: ratings are read through
`feedback.scope` only, filtered through `rating_filter.RatingFilter` (the one filter definition),
paged like the ledger (`cases.views.Page`: no exact count over a province, decision 0017). Neither
page shows the rater's phone or its digest, to anyone."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from bangban.cases.views import COUNT_CAP, Page, point_options

from .models import Rating, Reason
from .rating_filter import RatingFilter
from .scope import get_rating_for, ratings_for

PAGE_SIZE = 25
#: A face for each level, beside its label (the label is what is read out).
FACES = {1: "😣", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}


def _page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), 10_000)


def _rows(keys) -> list[Rating]:
    found = {
        r.pk: r
        for r in Rating.objects.filter(pk__in=list(keys)).select_related(
            "case", "occasion", "point", "helper"
        )
    }
    return [found[k] for k in keys if k in found]


def paginate(ratings, number: int, size: int = PAGE_SIZE) -> Page:
    """The page `number` of ordered `ratings` and their count up to COUNT_CAP, as the ledger pages
    its cases: the keys first, then the page's rows with what a row shows."""
    offset = (number - 1) * size
    if offset + size <= COUNT_CAP:
        keys = list(ratings.values_list("pk", flat=True)[: COUNT_CAP + 1])
        return Page(number, _rows(keys[offset : offset + size]), len(keys) > offset + size,
                    len(keys), size)  # fmt: skip
    keys = list(ratings.values_list("pk", flat=True)[offset : offset + size + 1])
    counted = ratings.order_by().values("pk")[: COUNT_CAP + 1].count()
    return Page(number, _rows(keys[:size]), len(keys) > size, counted, size)


def reason_labels(ratings) -> None:
    """Put on each rating `reason_labels`: its reasons' labels in the version it was given under
    (`Rating.reason_set`), the code itself for one that version lacks. One query."""
    sets = {r.reason_set_id for r in ratings if r.reason_set_id and r.reasons}
    labels = {
        (set_id, code): label
        for set_id, code, label in Reason.objects.filter(set_id__in=sets).values_list(
            "set_id", "code", "label"
        )
    }
    for r in ratings:
        r.reason_labels = [labels.get((r.reason_set_id, code), code) for code in r.reasons or []]
        r.face = FACES.get(r.level, "")


@login_required
@require_GET
def ratings(request):
    """评价: the ratings the user may see, filtered, newest first, a page at a time."""
    form = RatingFilter(request.GET)
    scoped = ratings_for(request.user)
    if form.is_valid():
        rows = form.apply(scoped)
    else:  # a condition with an error is left out (and said so on the form), as on the ledger
        kept = request.GET.copy()
        for name in form.errors:
            kept.pop(form.add_prefix(name), None)
        applied = RatingFilter(kept)
        rows = applied.apply(scoped) if applied.is_valid() else scoped.none()
    page = paginate(rows, _page_number(request.GET.get("page")))
    reason_labels(page.object_list)
    options, _more = point_options(request.user, selected=form.cleaned_data.get("point"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "point_options": options,
        "filtered": bool(query),
    }
    return render(request, "feedback/ratings/ratings.html", context)


@login_required
@require_GET
def rating(request, pk: int):
    """One rating: what was rated, how and by which channel, its reasons and comment, its flags and
    its rectification; 404 for one outside the user's scope."""
    found = get_rating_for(request.user, pk)
    found = (
        Rating.objects.select_related(
            "case", "occasion", "point", "helper", "entered_by", "reason_set"
        )
        .filter(pk=found.pk)
        .get()
    )
    reason_labels([found])
    rectification = getattr(found, "rectification", None) if found.is_bad else None
    context = {"rating": found, "rectification": rectification, "appeals": found.appeals.all()}
    return render(request, "feedback/ratings/rating.html", context)


urls = [
    path("ratings/", ratings, name="ratings"),
    path("ratings/<int:pk>/", rating, name="rating"),
]

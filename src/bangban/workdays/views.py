"""The calendar page: a year's holidays and make-up working days for everyone signed in; for the
deployment's top region admin (or a superuser), forms to correct a day and to enter a year."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bangban.kernel.forms import add_rule_errors

from . import actions, scope
from .actions import MAX_YEAR, MIN_YEAR, CalendarError
from .forms import DayForm, YearForm
from .models import CalendarDay, CalendarYear


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if MIN_YEAR <= year <= MAX_YEAR else today.year


def _page(request, year: int, *, day_form=None, year_form=None):
    row = CalendarYear.objects.filter(year=year).first()
    published = bool(row and row.published)
    days = list(CalendarDay.objects.filter(day__year=year).order_by("day")) if published else []
    may_edit = scope.can_edit_calendar(request.user)
    context = {
        "year": year,
        "row": row,
        "published": published,
        "days": days,
        "years": list(CalendarYear.objects.filter(published=True).values_list("year", flat=True)),
        "previous_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
        "may_edit": may_edit,
    }
    if may_edit:
        context["day_form"] = day_form or DayForm()
        context["year_form"] = year_form or YearForm(initial={"year": year})
    return render(request, "workdays/calendar.html", context)


@login_required
@require_http_methods(["GET"])
def calendar_page(request):
    return _page(request, _year(request))


def _must_edit(request) -> None:
    if not scope.can_edit_calendar(request.user):
        raise PermissionDenied


@login_required
@require_POST
def day_edit(request):
    _must_edit(request)
    form = DayForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["day"]
        try:
            actions.set_day(
                day, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"], by=request.user
            )
        except CalendarError as error:
            add_rule_errors(form, error)
        else:
            messages.success(request, _("已更正 %(day)s。") % {"day": day.isoformat()})
            return redirect(f"{reverse('workdays:calendar')}?year={day.year}")
    year = form.cleaned_data["day"].year if form.cleaned_data.get("day") else _year(request)
    return _page(request, year, day_form=form)


@login_required
@require_POST
def year_publish(request):
    _must_edit(request)
    form = YearForm(request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            actions.publish_year(year, form.cleaned_data["days"], by=request.user)
        except CalendarError as error:
            add_rule_errors(form, error, field="days")
        else:
            messages.success(request, _("已录入 %(year)s 年的节假日安排。") % {"year": year})
            return redirect(f"{reverse('workdays:calendar')}?year={year}")
    year = form.cleaned_data.get("year") or _year(request)
    return _page(request, year, year_form=form)

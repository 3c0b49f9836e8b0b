"""The ledger's rules on every path (issue 10): the deadline a case awaiting acceptance will get when
deemed accepted (decision 0028), the day each material was received, and the department that decided
a refusal with its document number (decision 0029).

Existing rows are brought along: a case that may still be deemed accepted gets its deemed deadline
(counted on the calendar table as it stands); a received material gets the day the ledger's events
say it was received (else the case's acceptance day, or its day of receipt); a refused case names
its item's department as the decider (its document number was never recorded and stays blank).
"""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Coalesce
from django.utils import timezone

from bangban.workdays import arithmetic

NOTICE_WINDOW = 5


def _calendar(apps) -> arithmetic.Calendar:
    """The working-day calendar as the table holds it (workdays.calendar.load, on these models)."""
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    years = list(CalendarYear.objects.filter(published=True).values_list("year", flat=True))
    if not years:
        return arithmetic.Calendar.build([], {})
    days = CalendarDay.objects.filter(
        day__gte=dt.date(min(years), 1, 1), day__lte=dt.date(max(years), 12, 31)
    ).values_list("day", "is_workday")
    return arithmetic.Calendar.build(years, days)


def _deemed_deadlines(apps, calendar) -> None:
    """Cases not accepted, registered or awaiting materials, without a notice in the window: the
    promised deadline they get when deemed accepted, counted from the day of receipt."""
    Case = apps.get_model("cases", "Case")
    Notice = apps.get_model("cases", "Notice")
    noticed = Notice.objects.filter(case=models.OuterRef("pk"), within_window=True)
    waiting = (
        Case.objects.filter(
            status__in=["registered", "awaiting_materials"], accepted_on__isnull=True
        )
        .exclude(models.Exists(noticed))
        .select_related("revision")
    )
    batch = []
    for case in waiting.iterator(chunk_size=1000):
        revision = case.revision
        case.deemed_deadline = arithmetic.deadline(
            case.received_on,
            revision.promised_limit,
            revision.promised_limit_unit,
            calendar=calendar,
        ).date
        batch.append(case)
        if len(batch) == 1000:
            Case.objects.bulk_update(batch, ["deemed_deadline"])
            batch = []
    Case.objects.bulk_update(batch, ["deemed_deadline"])


def _received_days(apps) -> None:
    """Each received line: the local day of the last `materials_received` event that set it to
    received; lacking one (imported, or older), the case's acceptance day or day of receipt; never
    before the case's day of receipt. One update for all, then the days the events give, a
    thousand cases at a time (the events read once, in case order)."""
    Case = apps.get_model("cases", "Case")
    CaseMaterial = apps.get_model("cases", "CaseMaterial")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    case = Case.objects.filter(pk=models.OuterRef("case_id"))
    CaseMaterial.objects.filter(status="received", received_on__isnull=True).update(
        received_on=Coalesce(
            models.Subquery(case.values("accepted_on")), models.Subquery(case.values("received_on"))
        )
    )
    zone = timezone.get_default_timezone()
    events = (
        CaseEvent.objects.filter(action="materials_received")
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "at", "data")
    )
    found: dict[int, dict[int, dt.date]] = {}
    for case_id, at, data in events.iterator(chunk_size=2000):
        for material, change in ((data or {}).get("materials") or {}).items():
            if isinstance(change, list) and change[-1:] == ["received"]:
                found.setdefault(case_id, {})[int(material)] = timezone.localtime(at, zone).date()
        if len(found) > 1000:
            last = found.pop(case_id)
            _set_received_days(CaseMaterial, found)
            found = {case_id: last}
    _set_received_days(CaseMaterial, found)


def _set_received_days(CaseMaterial, found: dict[int, dict[int, dt.date]]) -> None:
    lines = CaseMaterial.objects.filter(case_id__in=found, status="received").select_related(
        "case"
    )
    changed = []
    for line in lines.only("pk", "material_id", "received_on", "case__received_on"):
        day = found[line.case_id].get(line.material_id)
        if day is not None:
            line.received_on = max(day, line.case.received_on)
            changed.append(line)
    CaseMaterial.objects.bulk_update(changed, ["received_on"], batch_size=1000)


def _refusal_departments(apps) -> None:
    Case = apps.get_model("cases", "Case")
    ItemRevision = apps.get_model("catalog", "ItemRevision")
    department = ItemRevision.objects.filter(pk=models.OuterRef("revision_id")).values(
        "department_id"
    )
    Case.objects.filter(status="refused", refusal_department__isnull=True).update(
        refusal_department_id=models.Subquery(department)
    )


def forward(apps, schema_editor):
    _deemed_deadlines(apps, _calendar(apps))
    _received_days(apps)
    _refusal_departments(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_protect_birth_dates_and_phones"),
        ("catalog", "0001_initial"),
        ("network", "0003_equipment"),
        ("workdays", "0002_seed_calendar"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="deemed_deadline",
            field=models.DateField(blank=True, null=True, verbose_name="视为受理时的承诺期限"),
        ),
        migrations.AddField(
            model_name="case",
            name="refusal_department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.department",
                verbose_name="作出不予受理决定的部门",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="refusal_document_number",
            field=models.CharField(blank=True, max_length=50, verbose_name="不予受理决定文号"),
        ),
        migrations.AddField(
            model_name="casematerial",
            name="received_on",
            field=models.DateField(blank=True, null=True, verbose_name="收取日期"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("deemed_deadline__isnull", False)),
                fields=["status", "deemed_deadline"],
                name="case_status_deemed",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("deemed_deadline__isnull", True),
                    ("accepted_on__isnull", True),
                    _connector="OR",
                ),
                name="case_deemed_deadline_until_accepted",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "refused"), _negated=True),
                    ("refusal_department__isnull", False),
                    _connector="OR",
                ),
                name="case_refused_names_department",
            ),
        ),
    ]

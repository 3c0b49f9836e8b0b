"""The ledger's export: one row per case, Chinese column headers whatever the interface language,
ID numbers and phones masked as on every list. Its rows are read in one query (`values_list(...)
.iterator()`, the counts of notices and transfers as subqueries of it) and streamed into the
workbook (`workbook.write_ledger`). Small exports are sent at once; larger ones are written by the
task worker (`tasks.export_ledger` → `produce_export`)."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files import File
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.catalog.models import Mode

from ..ledger import LedgerFilter
from ..models import (
    NEAR_DEADLINE,
    OVERDUE,
    Case,
    LedgerExport,
    Notice,
    ReadingDay,
    Transfer,
    deadline_values,
    deemed_due,
    warning_of,
)
from ..scope import cases_for
from ..workflow import State
from .layout import chinese_labels, document_labels, zh
from .workbook import write_ledger

log = logging.getLogger(__name__)


#: What a row of the export reads, in one query (the counts are subqueries: no query per row).
EXPORT_FIELDS = (
    "number",
    "registered_on",
    "applicant__name",
    "applicant__document_type",
    "applicant__number_masked",
    "contact_phone_masked",
    "applicant__phone_masked",
    "elderly",
    "disabled",
    "revision__name",
    "item__implementation_code",
    "kind",
    "mode",
    "channel",
    "registering_point__name",
    "responsible__first_name",
    "responsible__username",
    "handling_point__name",
    "handling_helper__first_name",
    "handling_helper__username",
    "received_on",
    "accepted_on",
    "promised_deadline",
    "legal_deadline",
    "status",
    "completed_on",
    "notice_count",
    "repeated_count",
    "transfer_count",
    "original_number",
    # What the clock of a case due for deemed acceptance is counted from (`models.clock_of`).
    "deemed_deadline",
    "revision__promised_limit",
    "revision__promised_limit_unit",
    "revision__legal_limit",
    "revision__legal_limit_unit",
)


@dataclass(frozen=True)
class _Limits:
    """The time limits of a row's revision, as `models.deadline_values` reads them."""

    promised_limit: int
    promised_limit_unit: str
    legal_limit: int
    legal_limit_unit: str


def _count_of(model, **filters) -> Coalesce:
    rows = (
        model.objects.filter(case=OuterRef("pk"), **filters)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def export_rows_query(cases: QuerySet[Case]):
    """The export's rows of `cases` (filtered and ordered already), as tuples of EXPORT_FIELDS."""
    return cases.annotate(
        notice_count=_count_of(Notice),
        repeated_count=_count_of(Notice, repeated=True),
        transfer_count=_count_of(Transfer),
    ).values_list(*EXPORT_FIELDS)


def ledger_cases(user, ledger_filter: LedgerFilter, today) -> QuerySet[Case]:
    """The cases of the ledger list for `user` and the (valid) filter: the same rows, same order."""
    return ledger_filter.apply(cases_for(user), today)


def export_rows(rows: Iterable[tuple], today) -> Iterable[list]:
    """The export's rows, in EXPORT_COLUMNS' order, from tuples of EXPORT_FIELDS."""
    states = chinese_labels(State.choices)
    kinds = chinese_labels(Case.Kind.choices)
    modes = chinese_labels(Mode.choices)
    channels = chinese_labels(Case.Channel.choices)
    documents = document_labels()
    elderly, disabled = zh(_("老年人")), zh(_("残疾人"))
    yes, no = zh(_("是")), zh(_("否"))
    cards = {NEAR_DEADLINE: zh(_("黄牌")), OVERDUE: zh(_("红牌")), "": ""}
    day = ReadingDay.of(today)
    for index, (
        number,
        registered_on,
        name,
        document_type,
        masked,
        contact_phone,
        applicant_phone,
        is_elderly,
        is_disabled,
        item_name,
        item_code,
        kind,
        mode,
        channel,
        registering_point,
        responsible_name,
        responsible_username,
        handling_point,
        helper_name,
        helper_username,
        received_on,
        accepted_on,
        promised,
        legal,
        status,
        completed_on,
        notices,
        repeated,
        transfers,
        original,
        deemed_deadline,
        *limits,
    ) in enumerate(rows, start=1):
        if deemed_due(status, deemed_deadline, received_on, day.cutoff):
            # Due for deemed acceptance, not yet recorded: shown as the law has it (reads never write).
            accepted_on = received_on
            counted = deadline_values(_Limits(*limits), received_on)
            promised, legal = counted["promised_deadline"], counted["legal_deadline"]
        phone = contact_phone or applicant_phone
        special = "、".join(
            label for flag, label in ((is_elderly, elderly), (is_disabled, disabled)) if flag
        )
        on_time = ""
        if status == State.COMPLETED and promised is not None:
            on_time = yes if completed_on <= promised else no
        warning = cards[warning_of(status, promised, today, day.near_until)]
        yield [
            index,
            number,
            registered_on,
            name,
            documents.get(document_type, document_type),
            masked,
            phone,
            special,
            item_name,
            item_code,
            kinds.get(kind, kind),
            modes.get(mode, mode),
            channels.get(channel, channel),
            registering_point,
            responsible_name or responsible_username,
            handling_point,
            (helper_name or helper_username) if helper_username else "",
            received_on,
            accepted_on,
            promised,
            legal,
            states.get(status, status),
            completed_on,
            on_time,
            warning,
            notices,
            repeated,
            transfers,
            original,
        ]


#: Control characters (XML 1.0 cannot hold most; a carriage return would come back a line feed) and
def export_file_name(today) -> str:
    return _("工作台账") + f"-{today:%Y%m%d}.xlsx"


def write_ledger_export(user, ledger_filter: LedgerFilter, path: str) -> int:
    """The user's filtered ledger to the file at `path`; the number of rows."""
    today = timezone.localdate()
    cases = ledger_cases(user, ledger_filter, today)
    rows = export_rows_query(cases).iterator(chunk_size=2000)
    return write_ledger(path, export_rows(rows, today))


def produce_export(export_id: int) -> None:
    """The background job of a LedgerExport: the requester's rows as they may see them now, written
    to the export's file; marked done with the row count, or failed with the reason."""
    export = (
        LedgerExport.objects.select_related("requested_by")
        .filter(pk=export_id, status=LedgerExport.Status.PENDING)
        .first()
    )
    if export is None:  # already taken by another worker, or gone
        return
    claimed = LedgerExport.objects.filter(pk=export.pk, status=LedgerExport.Status.PENDING).update(
        status=LedgerExport.Status.RUNNING
    )
    if not claimed:
        return
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        ledger_filter = LedgerFilter(export.query)
        if not ledger_filter.is_valid():
            raise ValueError(_("筛选条件无效。"))
        rows = write_ledger_export(export.requested_by, ledger_filter, path)
        name = f"ledger-{export.pk}-{secrets.token_hex(8)}.xlsx"
        with open(path, "rb") as handle:
            export.file.save(name, File(handle), save=False)
        export.status = LedgerExport.Status.DONE
        export.rows = rows
        export.error = ""
    except Exception as error:  # noqa: BLE001 - a failed export is reported on its row, not lost
        log.exception("ledger export %s failed", export.pk)
        export.status = LedgerExport.Status.FAILED
        export.error = (str(error) or error.__class__.__name__)[:500]
    finally:
        os.unlink(path)
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "rows", "file", "error", "finished_at"])

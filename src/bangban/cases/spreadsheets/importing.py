"""The import of historical cases from a ledger: every row parsed (`reading`), its names resolved in
the county (item codes, points, people), then every case checked by `actions.check_imported_cases`;
each problem is reported by row and column, and nothing is written unless every row is good
(`actions.import_cases`, one transaction). Also the template's reference sheet of the county's
points."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bangban.catalog.models import ItemRevision, ServiceItem
from bangban.kernel.spreadsheets import Invalid, Problem, Sheet
from bangban.network.models import Membership, Region, ServicePoint

from .. import actions
from ..actions import CREDIT_CODE, ApplicantData, CaseError, ImportedCase
from ..identifiers import DocumentType
from ..models import Applicant, Case
from .reading import import_sheet, read_rows

# --- The import: names in the county --------------------------------------------------------------


class _Names:
    """The county's items, points and people, read once per file, found by what a ledger calls them."""

    def __init__(self, county: Region, rows: list[tuple[int, dict]]):
        codes = {r["item_code"] for _n, r in rows if r.get("item_code")}
        self.items = {
            item.implementation_code: item
            for item in ServiceItem.objects.filter(county=county, implementation_code__in=codes)
        }
        self.revisions: dict[int, list[ItemRevision]] = defaultdict(list)
        for revision in ItemRevision.objects.filter(item__in=self.items.values()).order_by(
            "item", "number"
        ):
            self.revisions[revision.item_id].append(revision)
        self.points_by_name: dict[str, list[ServicePoint]] = defaultdict(list)
        self.points_by_pk: dict[int, ServicePoint] = {}
        for point in ServicePoint.objects.filter(county=county):
            self.points_by_name[point.name].append(point)
            self.points_by_pk[point.pk] = point
        User = get_user_model()
        people = User.objects.filter(
            pk__in=Membership.objects.filter(point__county=county).values("user_id")
        )
        self.people_by_username = {u.username: u for u in people}
        self.people_by_name: dict[str, list] = defaultdict(list)
        for person in self.people_by_username.values():
            if person.first_name:
                self.people_by_name[person.first_name].append(person)

    def item(self, code: str):
        item = self.items.get(code)
        if item is None:
            raise Invalid(_("本县事项目录中没有实施编码为 %(code)s 的事项。") % {"code": code})
        return item

    def revision(self, item, day):
        """The item's revision as it stood on `day` (the first one when the item came later)."""
        revisions = self.revisions.get(item.pk) or []
        if not revisions:
            raise Invalid(_("该事项还没有任何版本。"))
        standing = [r for r in revisions if timezone.localdate(r.created_at) <= day]
        return standing[-1] if standing else revisions[0]

    def point(self, name: str) -> ServicePoint:
        found = self.points_by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Invalid(
                _("本县有多个名为“%(name)s”的服务点，请改填服务点编号。") % {"name": name}
            )
        if name.isdigit() and int(name) in self.points_by_pk:
            return self.points_by_pk[int(name)]
        raise Invalid(_("本县没有名为“%(name)s”的服务点。") % {"name": name})

    def person(self, name: str):
        if name in self.people_by_username:
            return self.people_by_username[name]
        found = self.people_by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Invalid(_("本县有多名人员叫“%(name)s”，请改填用户名。") % {"name": name})
        raise Invalid(_("本县没有用户名或姓名为“%(name)s”的人员。") % {"name": name})


# --- The import -----------------------------------------------------------------------------------

#: The action's field names → the sheet's column keys.
FIELD_KEYS = {
    "registered_on": "registered_on",
    "applicant.kind": "document_type",
    "applicant.name": "name",
    "applicant.number": "number",
    "applicant.birth_on": "number",
    "applicant.phone": "phone",
    "contact_phone": "phone",
    "item": "item_code",
    "mode": "mode",
    "kind": "kind",
    "channel": "channel",
    "registering_point": "registering_point",
    "handling_point": "handling_point",
    "responsible": "responsible",
    "received_on": "received_on",
    "accepted_on": "accepted_on",
    "promised_deadline": "promised_deadline",
    "legal_deadline": "legal_deadline",
    "status": "status",
    "completed_on": "completed_on",
    "original_number": "original_number",
}


@dataclass
class ImportResult:
    problems: list[Problem]
    created: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Problems:
    """At most one set of messages per (row, column), in the sheet's order."""

    def __init__(self, sheet: Sheet, problems: Iterable[Problem] = ()):
        self.order = {c.header: i for i, c in enumerate(sheet.columns)}
        self.items: list[Problem] = []
        self.seen: set[tuple] = set()
        for p in problems:
            self.add(p)

    def add(self, problem: Problem) -> None:
        key = (problem.row, problem.column, problem.message)
        if key not in self.seen:
            self.seen.add(key)
            self.items.append(problem)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row or 0, self.order.get(p.column, -1)))


def _imported(record: dict, names: _Names) -> tuple[ImportedCase, dict[str, str]]:
    """The ImportedCase of a parsed row and the problems of its names (by column key). A cell that
    did not parse or resolve is stood in for by None, so that the ledger's rules still judge the
    rest of the row (their verdict on the stood-in cell itself is dropped: it has its own)."""
    problems: dict[str, str] = {}
    resolved: dict[str, Any] = {"revision": None}
    for key, column, find in (
        ("item", "item_code", names.item),
        ("registering_point", "registering_point", names.point),
        ("responsible", "responsible", names.person),
        ("handling_point", "handling_point", names.point),
        ("handling_helper", "handling_helper", names.person),
    ):
        resolved[key] = None
        if record.get(column):
            try:
                resolved[key] = find(record[column])
            except Invalid as error:
                problems[column] = str(error)
    if resolved["item"] is not None and record.get("registered_on"):
        try:
            resolved["revision"] = names.revision(resolved["item"], record["registered_on"])
        except Invalid as error:
            problems["item_code"] = str(error)
    document_type = record.get("document_type") or DocumentType.RESIDENT_ID
    organisation = document_type == CREDIT_CODE
    applicant = ApplicantData(
        kind=Applicant.Kind.ORGANISATION if organisation else Applicant.Kind.PERSON,
        name=record.get("name") or "",
        document_type=document_type,
        number=record.get("number") or "",
        phone=record.get("phone") or "",
        disabled=bool(record.get("disabled")) and not organisation,
    )
    case = ImportedCase(
        applicant=applicant,
        item=resolved["item"],
        revision=resolved["revision"],
        kind=record.get("kind"),
        mode=record.get("mode"),
        channel=record.get("channel") or Case.Channel.WALK_IN,
        status=record.get("status"),
        registering_point=resolved["registering_point"],
        responsible=resolved["responsible"],
        registered_on=record.get("registered_on"),
        handling_point=resolved["handling_point"],
        handling_helper=resolved["handling_helper"],
        received_on=record.get("received_on"),
        accepted_on=record.get("accepted_on"),
        promised_deadline=record.get("promised_deadline"),
        legal_deadline=record.get("legal_deadline"),
        completed_on=record.get("completed_on"),
        original_number=record.get("original_number") or "",
        contact_phone=record.get("phone") or "",
    )
    return case, problems


def import_ledger(file, *, county: Region, by) -> ImportResult:
    """Check every row of an uploaded ledger; if all are good, import every case into `county` in
    one transaction (actions.import_cases). Nothing is written when any row has a problem. The
    caller has checked that `by` administers the county (network.access)."""
    sheet = import_sheet()
    rows, read_problems = read_rows(file, sheet)
    problems = _Problems(sheet, read_problems)
    if any(p.row in (None, 1) for p in read_problems):
        return ImportResult(problems.sorted())
    columns = {c.key: c.header for c in sheet.columns}
    names = _Names(county, rows)
    flagged = {(p.row, p.column) for p in read_problems}
    entries: list[tuple[int, ImportedCase]] = []
    for number, record in rows:
        case, name_problems = _imported(record, names)
        for key, message in name_problems.items():
            problems.add(Problem(number, columns[key], message))
            flagged.add((number, columns[key]))
        entries.append((number, case))

    def add_rule_problems(errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            n, name = key.split(".", 1)
            number = entries[int(n) - 1][0]
            column = columns.get(FIELD_KEYS.get(name, ""))
            if (number, column) in flagged:
                continue  # the cell already has a problem of its own
            for message in messages:
                problems.add(Problem(number, column, message))

    cases = [case for _n, case in entries]
    if problems.items:
        add_rule_problems(actions.check_imported_cases(county, cases))
        return ImportResult(problems.sorted())
    try:
        created = actions.import_cases(county, cases=cases, by=by)
    except CaseError as error:
        add_rule_problems(error.errors)
        return ImportResult(problems.sorted())
    except IntegrityError:  # someone registered the same applicant or number meanwhile
        return ImportResult([Problem(None, None, _("导入期间台账有变动，请重新导入。"))])
    return ImportResult(
        [],
        [
            {
                "row": number,
                "number": case.number,
                "original": case.original_number,
                "applicant": case.applicant.name,
            }
            for (number, _c), case in zip(entries, created, strict=True)
        ],
    )


def point_reference(county: Region) -> tuple[str, list, list]:
    """The template's sheet 服务点: the county's points, their numbers and names."""
    rows = (
        ServicePoint.objects.filter(county=county)
        .order_by("ancestry", "name")
        .values_list("pk", "name", "active")
    )
    with translation.override("zh-hans"):
        yes, no = _("在用"), _("停用")
        return (
            _("服务点"),
            [_("服务点编号"), _("名称"), _("状态")],
            [(pk, name, yes if active else no) for pk, name, active in rows],
        )


def write_template(county: Region | None, stream) -> None:
    from bangban.kernel.spreadsheets import write_template as write

    references = [point_reference(county)] if county is not None else []
    write(import_sheet(), stream, references=references)

"""A stolen dump gives back no ID number and no phone (issue 10, "Done when"; decision 0030).

A database is populated through the real paths — persons with 18-digit ID numbers of different birth
dates (one typed in its old 15-digit form, one a 港澳台 residence permit), an enterprise, a 代办 case
with the proxy's phone, a registration through the API, a historical import, accepted cases and
progress notes that text the applicant, a search of the ledger by number and by phone (kept in the
session) and a background export of it, a logged reveal, the outbox delivered through the console
gateway with DEBUG on. Then every column of every table is read as text (`SELECT *` over
`connection.introspection.table_names()`, on SQLite and PostgreSQL alike; sessions decoded too, and
the files written beside the database), and an attacker without the key tries to rebuild:

- an ID number: any 18-character string that passes its check character, any old 15-digit string;
  any 6 + 4 mask (`370323********1234`) completed by any date-like value of the dump;
- a phone: any 11-digit string (also once separators are dropped); any mobile mask (`138****1234`)
  completed by any 4-digit group of the dump's text, any landline mask by a group of its length.

Nothing is rebuilt; nor does any log line written meanwhile hold a full number or phone. (Integer
columns — keys, counters — are not taken as completions: they say nothing about a row's phone, and
a calendar table's keys alone cover every 4-digit group.)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bangban.cases import actions, excel_views
from bangban.cases.actions import AuthorisationData
from bangban.cases.identifiers import (
    credit_code_check_character,
    normalise_resident_id,
    resident_id_check_character,
)
from bangban.cases.models import Case
from bangban.messaging.actions import deliver_due
from bangban.network.models import Role
from tests.network.test_api import Api, token_for

from .conftest import person, resident_id
from .test_import import upload

#: (ID number as typed, the birth date it carries). Birth dates that nothing else in the database
#: holds, so that finding one would mean it was stored.
TYPED = {
    "elderly": resident_id(born="19380214", sequence=377),
    "old_form": resident_id(born="19521130", sequence=459)[:6]
    + "521130"
    + resident_id(born="19521130", sequence=459)[14:17],
    "proxy": resident_id(born="19690704", sequence=583),
    "api": resident_id(born="19900123", sequence=641),
    "permit": resident_id(area="810000", born="19850506", sequence=725),
    "imported": resident_id(born="19630918", sequence=817),
}
#: Phones whose hidden middle digits are no year, sequence or area code of the database.
PHONES = {
    "elderly": "13947261835",
    "old_form": "15862937104",
    "proxy": "15972618350",
    "api": "18748319266",
    "permit": "13681574932",
    "imported": "17746827315",
}
PROXY_PHONE = "18671459302"
ENTERPRISE_PHONE = "010-67281459"
CREDIT_BODY = "91370323MA3C4D5E6"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _authorisation() -> AuthorisationData:
    return AuthorisationData(
        principal="孙秀兰",
        scope="代为办理城乡居民医保参保登记，代领结果",
        authorised_on=timezone.localdate(),
        scan=SimpleUploadedFile("weituoshu.pdf", b"%PDF-1.4 signed", "application/pdf"),
    )


@pytest.fixture
def populated(client, settings, register, helper, station, item, make_account, yiyuan, caplog):
    """The database and the logs after a morning at the counter; (real numbers, real phones)."""
    settings.DEBUG = True  # the console gateway once wrote full phones under DEBUG
    settings.BANGBAN_SMS_BACKEND = "console"
    caplog.set_level(logging.DEBUG)
    cases = [
        register(applicant=person(name="周桂英", number=TYPED["elderly"], phone=PHONES["elderly"])),
        register(
            applicant=person(name="吴建国", number=TYPED["old_form"], phone=PHONES["old_form"])
        ),
        register(
            applicant=person(name="郑淑珍", number=TYPED["proxy"], phone=PHONES["proxy"]),
            kind="proxy",
            authorisation=_authorisation(),
            contact_phone=PROXY_PHONE,
        ),
        register(
            applicant=person(
                name="陈志明",
                document_type="hk_macao_taiwan_permit",
                number=TYPED["permit"],
                phone=PHONES["permit"],
            )
        ),
        register(
            applicant=person(
                kind="organisation",
                name="沂源县某某农业有限公司",
                document_type="credit_code",
                number=CREDIT_BODY + credit_code_check_character(CREDIT_BODY),
                phone=ENTERPRISE_PHONE,
                legal_representative="王建国",
            )
        ),
    ]
    # Through the API.
    api = Api(client, token_for(client, helper))
    answer = api.post(
        "/cases",
        {
            "point": station.pk,
            "applicant": {
                "kind": "person",
                "name": "冯丽华",
                "number": TYPED["api"],
                "phone": PHONES["api"],
            },
            "item": item.pk,
            "kind": "assisted",
            "mode": "on_site",
        },
    )
    assert answer.status_code == 201, answer.content
    # A historical ledger imported by the county's administrator.
    admin = make_account(Role.REGION_ADMIN, yiyuan.county, username="dump-county-admin")
    client.force_login(admin)
    imported = {
        "办件编号": "YY-2025-0099",
        "登记日期": dt.date(2025, 3, 3),
        "申请人": "褚玉珍",
        "证件号码": TYPED["imported"],
        "联系电话": PHONES["imported"],
        "特殊群体": "",
        "事项编码": item.implementation_code,
        "帮办/代办": "帮办",
        "服务方式": "现场办",
        "来源渠道": "现场",
        "登记服务点": station.name,
        "首问负责人": helper.username,
        "受理日期": dt.date(2025, 3, 3),
        "状态": "已办结",
        "办结日期": dt.date(2025, 3, 4),
    }
    assert "导入完成" in upload(client, yiyuan, [imported]).content.decode()
    # The workflow texts the applicant (and the proxy).
    for case in cases[:3]:
        actions.set_material_status(
            case, statuses={m.material_id: "received" for m in case.materials.all()}, by=helper
        )
        actions.accept_case(case, by=helper)
        actions.record_progress(case, by=helper, text="材料已送医保分区", tell_applicant=True)
    # The counter: searches by number and by phone, an export of one, a logged reveal.
    client.force_login(helper)
    for text in (TYPED["elderly"], PROXY_PHONE, TYPED["old_form"]):
        response = client.post(reverse("cases:ledger"), {"q": text})
        assert "found=" in response["Location"]
        client.get(response["Location"])
    found = client.post(reverse("cases:ledger"), {"q": PHONES["permit"]})["Location"]
    excel_views.EXPORT_AT_ONCE, at_once = 0, excel_views.EXPORT_AT_ONCE
    try:
        client.get(reverse("cases:export") + "?" + found.split("?")[1])
    finally:
        excel_views.EXPORT_AT_ONCE = at_once
    from bangban.cases.models import LedgerExport
    from bangban.cases.spreadsheets import produce_export

    for export in LedgerExport.objects.all():
        produce_export(export.pk)  # what the worker does once the request has committed
    assert api.post("/cases/search", {"number": TYPED["api"]}).status_code == 200
    assert client.post(reverse("cases:reveal", args=[cases[0].number])).status_code == 200
    # The worker delivers the outbox through the console gateway.
    assert deliver_due(limit=1000).sent >= 10
    numbers = {
        normalise_resident_id(number) if key != "permit" else number
        for key, number in TYPED.items()
    }
    phones = {*PHONES.values(), PROXY_PHONE, ENTERPRISE_PHONE}
    assert Case.objects.count() == 7
    return numbers, phones


# --- The dump ----------------------------------------------------------------------------------


def dump() -> tuple[list[str], list[str]]:
    """Every value of every table as text: (all values, the text values — strings, JSON, dates).
    Sessions are decoded as well (their data is compressed and signed, not encrypted)."""
    everything, texts = [], []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, memoryview | bytes):
                        text = bytes(value).decode("latin-1")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, ensure_ascii=False)
                    else:
                        text = str(value)
                    everything.append(text)
                    if not isinstance(value, int | float) or isinstance(value, bool):
                        texts.append(text)
            if table == "django_session":
                cursor.execute("SELECT session_data FROM django_session")
                for (data,) in cursor.fetchall():
                    decoded = json.dumps(SessionStore().decode(data), ensure_ascii=False)
                    everything.append(decoded)
                    texts.append(decoded)
    return everything, texts


def files(root: Path) -> list[str]:
    """The files written beside the database (exports, scans), as text; workbooks unzipped."""
    out = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                out += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        else:
            out.append(data.decode("latin-1"))
    return out


# --- The attacker --------------------------------------------------------------------------------

RUN = re.compile(r"[0-9]+")
#: A group of digits between non-alphanumerics, which is how a stored phone's hidden digits would
#: stand: not a piece of a ciphertext, a token or a digest, whose letters hold every four-digit group
#: sooner or later by chance (a phone mask "completed" so is no finding).
GROUP = re.compile(r"(?<![0-9A-Za-z])[0-9]+(?![0-9A-Za-z])")
ID_MASK = re.compile(r"([0-9]{6})\*{8}([0-9X]{4})")
MOBILE_MASK = re.compile(r"(1[0-9]{2})\*{4}([0-9]{4})")
LANDLINE_MASK = re.compile(r"(0[0-9]{2,3}-)(\*+)([0-9]{4})")
ISO_DAY = re.compile(r"([0-9]{4})[-/]([0-9]{2})[-/]([0-9]{2})")


def _windows(digits: str, length: int):
    return (digits[i : i + length] for i in range(len(digits) - length + 1))


def _is_day(text: str) -> bool:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).year >= 1900
    except ValueError:
        return False


def rebuilt_numbers(values: list[str], texts: list[str]) -> set[str]:
    """Every ID number that passes its check character and can be read or completed from `values`."""
    found = set()
    for value in values:
        for run in RUN.findall(value):
            for candidate in _windows(run, 18):
                if resident_id_check_character(candidate[:17]) == candidate[17]:
                    found.add(candidate)
            for old in _windows(run, 15):
                body = old[:6] + "19" + old[6:]
                found.add(body + resident_id_check_character(body))
        for match in re.findall(r"[0-9]{17}X", value.upper()):
            found.add(match)
    days = set()
    for text in texts:
        days |= {"".join(m) for m in ISO_DAY.findall(text)}
        for run in RUN.findall(text):
            days |= {w for w in _windows(run, 8) if _is_day(w)}
    for text in texts:
        for area, last in ID_MASK.findall(text):
            for day in days:
                candidate = area + day + last
                if resident_id_check_character(candidate[:17]) == candidate[17]:
                    found.add(candidate)
    return found


def rebuilt_phones(values: list[str], texts: list[str], phones: set[str]) -> set[str]:
    """The real `phones` found whole in `values` (also without separators) or completed from a
    mask and a group of digits of the dump's text."""
    digits_of = {phone: re.sub(r"[^0-9]", "", phone) for phone in phones}
    found = set()
    for value in values:
        plain = re.sub(r"[^0-9]", "", value)
        for phone, digits in digits_of.items():
            if phone in value or digits in plain:
                found.add(phone)
    groups: dict[int, set[str]] = {}
    for text in texts:
        for run in GROUP.findall(text):
            groups.setdefault(len(run), set()).add(run)
    for text in texts:
        for start, end in MOBILE_MASK.findall(text):
            found |= {start + g + end for g in groups.get(4, ())} & phones
        for area, stars, end in LANDLINE_MASK.findall(text):
            found |= {area + g + end for g in groups.get(len(stars), ())} & phones
    return found


# --- The test ------------------------------------------------------------------------------------


def test_a_dump_of_a_populated_database_gives_back_no_number_and_no_phone(
    populated, settings, caplog
):
    numbers, phones = populated
    values, texts = dump()
    written = files(Path(settings.MEDIA_ROOT))
    # The attacker has something to work with: masks and dates are there.
    assert any(ID_MASK.search(t) for t in texts) and any(MOBILE_MASK.search(t) for t in texts)
    assert any(ISO_DAY.search(t) for t in texts)
    assert rebuilt_numbers(values + written, texts + written) & numbers == set()
    assert rebuilt_phones(values + written, texts + written, phones) == set()


def test_the_logs_hold_no_full_number_or_phone(populated, caplog):
    numbers, phones = populated
    records = caplog.get_records("setup") + caplog.records  # `populated` ran in the setup
    lines = [record.getMessage() for record in records]
    assert any("SMS to" in line for line in lines)  # the console gateway did write
    assert rebuilt_numbers(lines, lines) & numbers == set()
    assert rebuilt_phones(lines, lines, phones) == set()


def test_the_attacker_would_find_a_birth_date_stored_in_clear(populated):
    """The attack works: with one birth date in clear, its number is rebuilt from its mask."""
    numbers, _phones = populated
    values, texts = dump()
    leaked = texts + ["1938-02-14"]
    assert normalise_resident_id(TYPED["elderly"]) in rebuilt_numbers(values, leaked)


def test_the_attacker_would_find_a_phone_stored_in_clear(populated):
    numbers, phones = populated
    values, texts = dump()
    assert rebuilt_phones([*values, "138 0533 1234"], texts, {"13805331234"}) == {"13805331234"}
    assert rebuilt_phones(values, [*texts, "4726"], phones) == {PHONES["elderly"]}

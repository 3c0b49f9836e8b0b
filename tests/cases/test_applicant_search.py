"""Applicants found by any part of their name through an index (decision 0070): the grams of the
names (`cases.ApplicantGram`) are kept right by every write of a name — recomputed from scratch
they equal the table —, the ledger's `q` finds exactly what the plain substring test finds, for
queries of every length, and scope still holds."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.cases.actions import index_applicants
from bangban.cases.identifiers import credit_code_check_character
from bangban.cases.ledger import LedgerFilter, identity_search
from bangban.cases.models import Applicant, ApplicantGram, Case, applicant_grams
from bangban.cases.scope import cases_for
from bangban.network.models import Role
from bangban.workdays import calendar
from tests.network.test_api import Api, token_for

from .conftest import person, resident_id
from .test_import import admin, row, upload  # noqa: F401 - fixtures


def stored() -> dict[int, set[str]]:
    table: dict[int, set[str]] = {}
    for applicant_id, gram in ApplicantGram.objects.values_list("applicant_id", "gram"):
        table.setdefault(applicant_id, set()).add(gram)
    return table


def recomputed() -> dict[int, set[str]]:
    """Every applicant's grams from scratch, one applicant at a time (none for a name of blanks)."""
    return {
        a.pk: applicant_grams(a.name) for a in Applicant.objects.all() if applicant_grams(a.name)
    }


def searched(text: str, cases=None) -> set[int]:
    form = LedgerFilter({"q": text})
    assert form.is_valid(), form.errors
    cases = Case.objects.all() if cases is None else cases
    return set(form.apply(cases, timezone.localdate()).values_list("pk", flat=True))


def plain(text: str) -> set[int]:
    """What `q` means: the start of the case number or a substring of the applicant's name, read
    from every case."""
    text = text.strip()
    found = Q(number__startswith=text) | Q(applicant__name__contains=text)
    return set(Case.objects.filter(found).values_list("pk", flat=True))


def organisation(name: str, body: str):
    """An enterprise by the 17 characters of its credit code before the check character."""
    code = body + credit_code_check_character(body)
    return person(kind="organisation", name=name, document_type="credit_code", number=code)


#: Names of every shape: Chinese persons, enterprises and collectives, Latin letters in both cases,
#: blanks inside, digits.
NAMES = [
    "张秀英",
    "王秀兰",
    "王德福",
    "欧阳秀英",
    "李强",
    "沂源县沂蒙山农业专业合作社",
    "沂蒙 家庭农场",
    "Zhang Wei",
    "ZHANG xiuying",
    "阿依古丽·买买提",
    "沂源县3号仓储有限公司",
]
CREDIT_CODES = {
    "沂源县沂蒙山农业专业合作社": "93370323MA3C5XAW1",
    "沂蒙 家庭农场": "92370323MA3D7U5R4",
    "沂源县3号仓储有限公司": "91370323MA3C0JHB1",
}


@pytest.fixture
def named(register):
    """A case of an applicant of each name (an enterprise by its credit code)."""
    cases = {}
    for name in NAMES:
        code = CREDIT_CODES.get(name)
        applicant = organisation(name, code) if code else person(name=name)
        cases[name] = register(applicant=applicant)
    return cases


def test_new_and_returning_applicants_keep_their_grams(register):
    first = register(applicant=person(name="张秀英", number=resident_id(sequence=201)))
    register(applicant=person(name="王德福", number=resident_id(sequence=202)))
    assert stored() == recomputed()
    assert stored()[first.applicant_id] == {"张", "秀", "英", "张秀", "秀英"}
    # The same person again, unchanged; then under a corrected name.
    same = register(applicant=person(name="张秀英", number=resident_id(sequence=201)))
    assert stored() == recomputed()
    again = register(applicant=person(name="张秀瑛", number=resident_id(sequence=201)))
    assert again.applicant_id == first.applicant_id
    assert stored() == recomputed()
    assert searched("秀瑛") == {first.pk, same.pk, again.pk}
    assert searched("秀英") == set()


def test_the_import_writes_the_grams_of_its_new_applicants(
    client,
    admin,  # noqa: F811 - the imported fixture
    row,  # noqa: F811 - the imported fixture
    register,
    yiyuan,
):
    known = register(applicant=person(name="刘桂兰", number=resident_id(sequence=301)))
    client.force_login(admin)
    rows = [
        row(**{"办件编号": "YY-1", "申请人": "赵玉凤", "证件号码": resident_id(sequence=302)}),
        row(**{"办件编号": "YY-2", "申请人": "赵玉凤", "证件号码": resident_id(sequence=302)}),
        # Already known: keeps the name on record (and its grams).
        row(**{"办件编号": "YY-3", "申请人": "刘桂芝", "证件号码": resident_id(sequence=301)}),
    ]
    response = upload(client, yiyuan, rows)
    assert "导入完成" in response.content.decode()
    assert stored() == recomputed()
    imported = set(Case.objects.filter(original_number__in=["YY-1", "YY-2"]).values_list("pk"))
    assert searched("玉凤") == {pk for (pk,) in imported}
    assert known.pk in searched("桂兰")


def test_a_county_imported_from_its_files_keeps_its_grams(dong_e):
    number = resident_id("371524", sequence=1)
    one = dong_e.register(applicant=person(name="孙建国", number=number))
    again = dong_e.register(applicant=person(name="孙建国", number=number))
    two = dong_e.register(applicant=organisation("东阿县阿胶专业合作社", "93371524MA3C5XAW1"))
    assert stored() == recomputed()
    assert searched("建国") == {one.pk, again.pk}
    assert searched("阿胶") == {two.pk}
    assert searched("合作社") == {two.pk} == plain("合作社")


@pytest.mark.parametrize(
    "query",
    [
        "秀",  # one character
        "王",
        "z",  # one Latin letter, either case
        "Z",
        "秀英",  # two: a given name
        "欧阳",
        "合作社",  # a word of an enterprise's name
        "沂蒙",
        "张秀英",  # a full name
        "欧阳秀英",
        "zhang",
        "ZHANG",
        "Zhang Wei",
        "ng w",
        "沂蒙 家庭",  # a blank inside
        "沂蒙家庭",  # no blank: not a substring
        "山 家",  # grams of two words that are no substring of one
        "·买",
        "3号",
        "3",
        "370323",  # a case number's start, and digits of no name
        "秀英秀",
        "无此人",
    ],
)
def test_q_finds_exactly_what_the_substring_test_finds(named, query):
    assert searched(query) == plain(query)


def test_every_part_of_every_name_finds_its_case(named):
    for name, case in named.items():
        for start in range(len(name)):
            for end in range(start + 1, len(name) + 1):
                part = name[start:end]
                if not part.strip() or identity_search(part) is not None:
                    continue  # blanks only, or digits `q` refuses as a document's number
                found = searched(part)
                assert case.pk in found, part
                assert found == plain(part), part


def test_a_town_admin_finds_no_applicant_of_another_town_by_name(
    register, yiyuan, make_account, make_helper
):
    here = register(applicant=person(name="张秀英", number=resident_id(sequence=401)))
    elsewhere = yiyuan.station("南麻街道")
    someone = make_helper(elsewhere).user
    there = register(
        applicant=person(name="李秀英", number=resident_id(sequence=402)),
        point=elsewhere,
        by=someone,
        responsible=someone,
    )
    lucun = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    nanma = make_account(Role.TOWN_ADMIN, yiyuan.town("南麻街道"))
    assert searched("秀英") == {here.pk, there.pk}
    assert searched("秀英", cases_for(lucun)) == {here.pk}
    assert searched("李秀英", cases_for(lucun)) == set()
    assert searched("秀英", cases_for(nanma)) == {there.pk}


@pytest.mark.parametrize("query", ["秀英", "张秀英", "hang", "370323"])  # each finds cases
def test_q_keeps_the_page_and_the_api_at_their_query_counts(
    client, named, make_account, yiyuan, django_assert_num_queries, query
):
    county_admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    api = Api(client, token_for(client, county_admin))
    client.force_login(county_admin)
    calendar.invalidate()
    client.get(reverse("cases:ledger"))
    api.get("/cases", limit=1)
    with CaptureQueriesContext(connection) as page:
        client.get(reverse("cases:ledger"))
    with CaptureQueriesContext(connection) as listed:
        api.get("/cases")
    # As many as without `q`, and one: the gram counts that choose the candidates or the scan
    # (`kernel.search.gram_candidates`, capped: it reads at most the cap's index entries a gram).
    with django_assert_num_queries(len(page) + 1):
        response = client.get(reverse("cases:ledger"), {"q": query})
    assert response.status_code == 200
    assert (
        'placeholder="办件编号开头、姓名或名称中的几个字，或完整号码"' in response.content.decode()
    )
    with django_assert_num_queries(len(listed) + 1):
        response = api.get("/cases", q=query)
    assert response.status_code == 200
    assert {item["number"] for item in response.json()["items"]} == {
        c.number for c in Case.objects.filter(pk__in=plain(query))
    }


def test_a_returning_applicant_with_the_same_name_writes_no_grams(register):
    first = register(applicant=person(name="张秀英", number=resident_id(sequence=501)))
    before = list(ApplicantGram.objects.filter(applicant=first.applicant).values_list("pk"))
    register(applicant=person(name="张秀英", number=resident_id(sequence=501)))
    after = list(ApplicantGram.objects.filter(applicant=first.applicant).values_list("pk"))
    assert before == after  # not deleted and written again


def test_index_applicants_replaces_what_was_there(register):
    case = register(applicant=person(name="张秀英", number=resident_id(sequence=601)))
    applicant = case.applicant
    Applicant.objects.filter(pk=applicant.pk).update(name="王德福")
    applicant.refresh_from_db()
    index_applicants([applicant])
    assert stored() == recomputed()


@pytest.mark.parametrize(
    ("query", "exact", "number"),
    [
        ("秀英", False, False),  # one or two Chinese characters: the grams alone
        ("张秀英", True, False),  # longer: the grams, then the substring test on the candidates
        ("zh", True, False),  # letters have case: the test too
        ("3703", True, True),  # digits may start a case number too
    ],
)
def test_q_reads_the_grams_and_tests_only_what_they_leave_open(named, query, exact, number):
    form = LedgerFilter({"q": query})
    assert form.is_valid()
    with CaptureQueriesContext(connection) as queries:
        list(form.apply(Case.objects.all(), timezone.localdate()))
    counts, sql = [q["sql"] for q in queries.captured_queries]  # the capped counts, the cases
    assert "cases_applicantgram" in counts and "cases_applicantgram" in sql
    # (PostgreSQL casts the column: `"name"::text LIKE`)
    assert bool(re.search(r'"cases_applicant"\."name"(::text)? LIKE', sql)) is exact
    assert bool(re.search(r'"cases_case"\."number"(::text)? LIKE', sql)) is number


def test_a_text_every_name_holds_is_found_by_the_substring_test_alone(named, settings):
    """When each gram of the text is held by the cap's number of names or more (合作社 among a
    province's cooperatives), the grams are not used: the scope's own range with the substring
    test serves better than thousands of candidates (decision 0069's cap). Same results."""
    settings.BANGBAN_SEARCH_GRAM_CAP = 1
    for query in ("秀英", "张秀英", "zh"):
        form = LedgerFilter({"q": query})
        assert form.is_valid()
        with CaptureQueriesContext(connection) as queries:
            found = {c.pk for c in form.apply(Case.objects.all(), timezone.localdate())}
        sql = queries.captured_queries[-1]["sql"]
        assert "cases_applicantgram" not in sql
        assert re.search(r'"cases_applicant"\."name"(::text)? LIKE', sql)
        assert found == plain(query)

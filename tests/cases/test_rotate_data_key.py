"""`bangban rotate-data-key`: after the data key changes, every encrypted column (applicants, cases,
the outbox) is re-encrypted with the new key and every digest recomputed, in batches, resumably; it
refuses to run while a row cannot be decrypted (README "Changing the data key", decision 0030)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from bangban.cases.actions import AuthorisationData
from bangban.cases.ledger import LedgerFilter, identity_search
from bangban.cases.models import Applicant, Case
from bangban.kernel import protection, rotation
from bangban.messaging.models import Message

from .conftest import person, resident_id

OLD, NEW = "the-old-data-key", "the-new-data-key"
NUMBERS = [resident_id(born="19480203", sequence=512), resident_id(born="19770911", sequence=613)]
PHONES = ["13905331001", "13705332002"]
PROXY_PHONE = "13605333003"
CREDIT_CODE = "91370323MA3C4D5E6"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def populated(settings, register):
    """Applicants, cases and messages written with the old key; then the operator's key change."""
    from bangban.cases.identifiers import credit_code_check_character

    settings.BANGBAN_DATA_KEY, settings.BANGBAN_DATA_KEYS_PREVIOUS = OLD, []
    cases = [
        register(applicant=person(number=number, phone=phone))
        for number, phone in zip(NUMBERS, PHONES, strict=True)
    ]
    cases.append(
        register(
            applicant=person(number=NUMBERS[0], phone=PHONES[0]),
            kind="proxy",
            authorisation=AuthorisationData(
                principal="张秀英",
                scope="代为办理",
                authorised_on=timezone.localdate(),
                scan=SimpleUploadedFile("w.pdf", b"%PDF-1.4", "application/pdf"),
            ),
            contact_phone=PROXY_PHONE,
        )
    )
    code = CREDIT_CODE + credit_code_check_character(CREDIT_CODE)
    cases.append(
        register(
            applicant=person(
                kind="organisation",
                name="沂源县某某农业有限公司",
                document_type="credit_code",
                number=code,
                phone="0533-3241201",
            )
        )
    )
    settings.BANGBAN_DATA_KEY, settings.BANGBAN_DATA_KEYS_PREVIOUS = NEW, [OLD]
    return cases


def tokens() -> list[str]:
    """Every encrypted value stored."""
    out = []
    for spec in rotation.protected_columns():
        for row in spec.model_class.objects.values_list(*spec.encrypted):
            out += [token for token in row if token]
    return out


def run(*args) -> str:
    out = io.StringIO()
    call_command("rotate-data-key", *args, stdout=out)
    return out.getvalue()


def test_the_command_covers_applicants_cases_and_the_outbox():
    models = {spec.model for spec in rotation.protected_columns()}
    assert models == {"cases.Applicant", "cases.Case", "messaging.Message"}


def test_rotation_re_encrypts_everything_and_the_new_digests_find_it(populated, settings):
    assert not any(protection.open_token(t)[1] for t in tokens())  # all on the old key
    output = run()
    assert "cases.Applicant" in output and "messaging.Message" in output and "完成" in output
    assert all(protection.open_token(t)[1] for t in tokens())
    # Everything reads back, and is found by the digests of the new key alone.
    settings.BANGBAN_DATA_KEYS_PREVIOUS = []
    for number, phone in zip(NUMBERS, PHONES, strict=True):
        applicant = Applicant.objects.get(
            lookup_digest=protection.lookup_digest("resident_id", number)
        )
        assert protection.decrypt(applicant.number_encrypted) == number
        assert applicant.decrypted_phone() == phone
        assert Applicant.objects.get(phone_digest=protection.phone_digest(phone)) == applicant
    assert Applicant.objects.get(phone_digest=protection.phone_digest("0533-3241201")).credit_code
    proxy = populated[2]
    assert Case.objects.get(contact_phone_digest=protection.phone_digest(PROXY_PHONE)) == proxy
    assert Applicant.objects.get(pk=populated[0].applicant_id).birth_date().year == 1948
    recipients = {m.decrypted_recipient() for m in Message.objects.all()}
    assert recipients == {*PHONES, PROXY_PHONE}
    search = LedgerFilter({"digest": list(identity_search(NUMBERS[1]).digests)})
    assert search.is_valid()
    found = search.apply(Case.objects.all(), timezone.localdate())
    assert list(found) == [populated[1]]


def test_after_rotation_the_old_key_alone_reads_nothing(populated, settings):
    run()
    settings.BANGBAN_DATA_KEY, settings.BANGBAN_DATA_KEYS_PREVIOUS = OLD, []
    for token in tokens():
        with pytest.raises(protection.UnreadableNumber):
            protection.decrypt(token)


def test_a_second_run_changes_nothing(populated):
    run()
    before = tokens()
    assert "已更新 0 行" in run()
    assert tokens() == before


def test_an_interrupted_run_goes_on_where_it_stopped(populated, monkeypatch):
    from django.db.models import QuerySet

    real = QuerySet.bulk_update
    calls = []

    def down_at_the_third_batch(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the machine went down")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_update", down_at_the_third_batch)
    with pytest.raises(RuntimeError):
        run("--batch-size", "1")
    monkeypatch.setattr(QuerySet, "bulk_update", real)
    messages = Message.objects.order_by("pk").values_list("recipient_encrypted", flat=True)
    assert [protection.open_token(t)[1] for t in messages] == [True, True, False]
    output = run("--batch-size", "1")
    assert "messaging.Message：读取 3 行，已更新 1 行" in output
    assert all(protection.open_token(t)[1] for t in tokens())


def test_a_check_counts_without_writing(populated):
    before = tokens()
    output = run("--check")
    assert "需要更新" in output and "未做任何更改" in output
    assert tokens() == before


def test_it_refuses_while_a_row_cannot_be_decrypted(populated, settings):
    settings.BANGBAN_DATA_KEY, settings.BANGBAN_DATA_KEYS_PREVIOUS = "a-key-nobody-kept", []
    stray = protection.encrypt("13900000000")
    settings.BANGBAN_DATA_KEY, settings.BANGBAN_DATA_KEYS_PREVIOUS = NEW, [OLD]
    Message.objects.filter(pk=Message.objects.order_by("pk").first().pk).update(
        recipient_encrypted=stray
    )
    before = tokens()
    with pytest.raises(CommandError) as refused:
        run()
    assert "1 行无法用任何已配置的密钥解密" in str(refused.value)
    assert "messaging.Message 1 行" in str(refused.value)
    assert tokens() == before  # nothing written


def test_between_the_key_change_and_the_run_applicants_are_found_again(populated, register):
    # A returning applicant registered before the command ran is the same applicant, not a second.
    again = register(applicant=person(number=NUMBERS[1], phone=PHONES[1]))
    assert again.applicant_id == populated[1].applicant_id
    assert Applicant.objects.count() == 3
    run()
    assert Applicant.objects.count() == 3

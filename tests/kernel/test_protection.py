"""Personal data at rest (bangban.kernel.protection): encrypted, found again by keyed digests of their
own, readable after a key change; the kernel imports no app."""

from __future__ import annotations

import pytest

from bangban.kernel import protection

NUMBER = "370323194503121236"


def test_a_number_is_stored_encrypted_and_read_back():
    token = protection.encrypt(NUMBER)
    assert NUMBER not in token
    assert protection.decrypt(token) == NUMBER


def test_encrypting_twice_gives_different_tokens():
    assert protection.encrypt(NUMBER) != protection.encrypt(NUMBER)


def test_the_digest_is_stable_and_keyed(settings):
    first = protection.lookup_digest("resident_id", NUMBER)
    assert first == protection.lookup_digest("resident_id", NUMBER)
    assert len(first) == 64
    settings.BANGBAN_DATA_KEY = "another-deployment-key"
    assert protection.lookup_digest("resident_id", NUMBER) != first


def test_the_digest_is_not_a_plain_hash():
    import hashlib

    assert (
        protection.lookup_digest("resident_id", NUMBER)
        != hashlib.sha256(NUMBER.encode()).hexdigest()
    )


def test_another_key_cannot_read_a_number(settings):
    settings.BANGBAN_DATA_KEY = "key-one"
    token = protection.encrypt(NUMBER)
    settings.BANGBAN_DATA_KEY = "key-two"
    with pytest.raises(protection.UnreadableNumber):
        protection.decrypt(token)


def test_after_a_key_change_old_numbers_stay_readable_and_rotate(settings):
    settings.BANGBAN_DATA_KEY = "key-one"
    token = protection.encrypt(NUMBER)
    settings.BANGBAN_DATA_KEY = "key-two"
    settings.BANGBAN_DATA_KEYS_PREVIOUS = ["key-one"]
    assert protection.decrypt(token) == NUMBER
    rotated = protection.rotate(token)
    settings.BANGBAN_DATA_KEYS_PREVIOUS = []
    assert protection.decrypt(rotated) == NUMBER


def test_garbage_is_unreadable_not_a_crash():
    with pytest.raises(protection.UnreadableNumber):
        protection.decrypt("not-a-token")


def test_the_same_number_on_another_kind_of_document_is_another_identity():
    assert protection.lookup_digest("resident_id", NUMBER) != protection.lookup_digest(
        "passport", NUMBER
    )


PHONE = "13805331234"


def test_a_phone_digest_has_a_key_of_its_own():
    assert len(protection.phone_digest(PHONE)) == 64
    assert protection.phone_digest(PHONE) != protection.lookup_digest("phone", PHONE)
    assert protection.phone_digest(PHONE) != protection.lookup_digest("resident_id", PHONE)


def test_digests_under_every_key_start_with_the_current_one(settings):
    settings.BANGBAN_DATA_KEY, settings.BANGBAN_DATA_KEYS_PREVIOUS = "key-two", ["key-one"]
    both = protection.phone_digests(PHONE)
    assert both[0] == protection.phone_digest(PHONE)
    settings.BANGBAN_DATA_KEY, settings.BANGBAN_DATA_KEYS_PREVIOUS = "key-one", []
    assert both[1] == protection.phone_digest(PHONE)
    assert len(protection.lookup_digests("resident_id", NUMBER)) == 1


def test_a_token_says_whether_it_is_on_the_current_key(settings):
    settings.BANGBAN_DATA_KEY = "key-one"
    token = protection.encrypt(NUMBER)
    assert protection.open_token(token) == (NUMBER, True)
    settings.BANGBAN_DATA_KEY, settings.BANGBAN_DATA_KEYS_PREVIOUS = "key-two", ["key-one"]
    assert protection.open_token(token) == (NUMBER, False)
    settings.BANGBAN_DATA_KEYS_PREVIOUS = []
    with pytest.raises(protection.UnreadableNumber):
        protection.open_token(token)


def test_the_kernel_imports_no_app():
    import ast
    from pathlib import Path

    import bangban.kernel

    for path in Path(bangban.kernel.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] if node.level == 0 else []
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                assert not name.startswith("bangban.") or name.startswith("bangban.kernel"), (
                    path.name,
                    name,
                )

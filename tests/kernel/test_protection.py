"""Identity numbers at rest: encrypted, found again by a keyed digest, readable after a key change."""

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

"""The personal-data kit: ID numbers, masking, encryption at rest, the keyed hash, reveal."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied

from xiezuo.core.models import RevealLog
from xiezuo.core.personal import crypto
from xiezuo.core.personal.access import may_reveal, reveal
from xiezuo.core.personal.idnumbers import id_number_error, make_id_number, normalise
from xiezuo.core.personal.masking import mask_account, mask_id_number, mask_phone

VALID = "11010519491231002X"  # the standard's own example


def test_the_standards_example_is_valid_and_a_changed_digit_is_named(english):
    assert id_number_error(VALID) is None
    assert id_number_error(VALID.lower()) is None
    assert "check digit" in id_number_error("110105194912310021")
    assert "18 characters" in id_number_error("1101051949")
    assert "birth date" in id_number_error("110105194913310028")
    assert "province" in id_number_error("991105194912310021")


def test_made_numbers_are_valid_and_full_width_digits_are_read():
    number = make_id_number("513436", datetime.date(1990, 1, 1), 123)
    assert id_number_error(number) is None
    full_width = "".join(chr(0xFF10 + int(c)) for c in number[:17]) + number[17]
    assert normalise(full_width) == number


def test_masks_keep_enough_to_tell_apart_and_no_more():
    assert mask_id_number(VALID) == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_account("6222021234567890") == "************7890"


@pytest.mark.django_db
def test_encrypted_field_is_ciphertext_in_the_database_and_rotates(monkeypatch):
    token = crypto.encrypt(VALID)
    assert VALID not in token and crypto.decrypt(token) == VALID
    old = crypto.new_key()
    monkeypatch.setenv("XIEZUO_PII_KEYS", old)
    crypto.reset_keys()
    token = crypto.encrypt(VALID)
    monkeypatch.setenv("XIEZUO_PII_KEYS", crypto.new_key() + "," + old)
    crypto.reset_keys()
    assert crypto.decrypt(token) == VALID
    rotated = crypto.rotate_token(token)
    monkeypatch.setenv("XIEZUO_PII_KEYS", crypto.new_key())
    crypto.reset_keys()
    with pytest.raises(ValueError):
        crypto.decrypt(token)
    crypto.reset_keys()
    monkeypatch.delenv("XIEZUO_PII_KEYS")
    crypto.reset_keys()
    assert rotated  # the rotated token needed the new first key


def test_blind_index_is_stable_keyed_and_per_kind(monkeypatch):
    a = crypto.blind_index("id", VALID)
    assert a == crypto.blind_index("id", VALID) and len(a) == 64
    assert a != crypto.blind_index("phone", VALID)
    monkeypatch.setenv("XIEZUO_PII_HASH_KEY", "another key")
    crypto.reset_keys()
    assert crypto.blind_index("id", VALID) != a
    monkeypatch.delenv("XIEZUO_PII_HASH_KEY")
    crypto.reset_keys()


@pytest.mark.django_db
def test_reveal_needs_the_right_and_a_purpose_and_is_logged(users):
    editor, viewer, east, national = users["county_office"], users["viewer"], users["east_office"], users["national"]

    class Person:
        pk = 7

        class _meta:
            label_lower = "households.member"

        id_number = VALID

        def personal_region_code(self):
            return "513436"

    assert may_reveal(editor, "513436") and not may_reveal(viewer, "513436")
    assert not may_reveal(east, "513436") and not may_reveal(national, "513436")
    assert may_reveal(users["west_office"], "513436")
    with pytest.raises(PermissionDenied):
        reveal(viewer, Person(), ["id_number"], purpose="visit")
    with pytest.raises(PermissionDenied):
        reveal(editor, Person(), ["id_number"], purpose="  ")
    assert reveal(editor, Person(), ["id_number"], purpose="home visit")["id_number"] == VALID
    log = RevealLog.objects.get()
    assert (log.username, log.fields, log.purpose, log.object_ids) == (editor.username, "id_number", "home visit", "7")
    assert VALID not in str(log.__dict__)

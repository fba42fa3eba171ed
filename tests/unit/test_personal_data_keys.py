"""The ID number's encryption (keys, rotation, a wrong key), the keyed hash of anonymous
visitors' addresses, and who may delete their own account, without any service."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from portal.personal_data.addresses import key_from_config, keyed_address
from portal.personal_data.encryption import PersonalDataCipher, PersonalDataKeyError, Undecryptable, split_keys

KEY_OLD, KEY_NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_value_is_stored_as_a_token_that_only_a_listed_key_opens():
    token = PersonalDataCipher([KEY_OLD]).encrypt("079301001234")
    assert "079301001234" not in token and len(token) > 32
    assert PersonalDataCipher([KEY_NEW, KEY_OLD]).decrypt(token) == "079301001234"
    with pytest.raises(Undecryptable, match="PERSONAL_DATA_KEY"):
        PersonalDataCipher([KEY_NEW]).decrypt(token)


def test_the_same_number_encrypts_differently_each_time():
    cipher = PersonalDataCipher([KEY_OLD])
    assert cipher.encrypt("079301001234") != cipher.encrypt("079301001234")


def test_rotation_encrypts_with_the_first_key():
    token = PersonalDataCipher([KEY_OLD]).encrypt("B1234567")
    rotated = PersonalDataCipher([KEY_NEW, KEY_OLD]).rotate(token)
    assert PersonalDataCipher([KEY_NEW]).decrypt(rotated) == "B1234567"
    with pytest.raises(Undecryptable):
        PersonalDataCipher([KEY_NEW]).rotate(PersonalDataCipher([Fernet.generate_key().decode()]).encrypt("x1"))


@pytest.mark.parametrize("value, keys", [
    (f"{KEY_NEW},{KEY_OLD}", [KEY_NEW, KEY_OLD]),
    (f" {KEY_NEW} , {KEY_OLD}\n", [KEY_NEW, KEY_OLD]),
    ("", []),
])
def test_keys_are_read_from_a_comma_separated_list(value, keys):
    assert split_keys(value) == keys


def test_a_malformed_key_is_named_with_its_position():
    with pytest.raises(PersonalDataKeyError, match="key 2 is not a Fernet key"):
        PersonalDataCipher([KEY_NEW, "not-a-key"])
    with pytest.raises(PersonalDataKeyError, match="PERSONAL_DATA_KEY is not set"):
        PersonalDataCipher([])


def test_empty_values_stay_empty():
    cipher = PersonalDataCipher([KEY_NEW])
    assert cipher.encrypt(None) is None and cipher.encrypt("") is None and cipher.decrypt(None) is None


def test_an_address_becomes_a_keyed_hash_that_fits_the_column():
    hashed = keyed_address("203.0.113.7", b"key one")
    assert hashed.startswith("hmac:") and "203.0.113.7" not in hashed and len(hashed) <= 64
    assert hashed == keyed_address("203.0.113.7", b"key one")  # rows of one address still match
    assert hashed != keyed_address("203.0.113.8", b"key one")
    assert hashed != keyed_address("203.0.113.7", b"key two")
    assert keyed_address(None, b"key one") is None


def test_the_address_key_defaults_to_one_derived_from_the_secret_key():
    derived = key_from_config({"SECRET_KEY": "s3cret", "AUDIT_IP_KEY": ""})
    assert derived == key_from_config({"SECRET_KEY": "s3cret"}) and derived != b"s3cret"
    assert derived != key_from_config({"SECRET_KEY": "other"})
    assert key_from_config({"SECRET_KEY": "s3cret", "AUDIT_IP_KEY": "chosen"}) == b"chosen"


def test_only_a_local_readers_account_may_be_deleted_on_its_own_page():
    from portal.auth.models import User
    from portal.personal_data.deletion import refusal

    assert refusal(User(roles="reader", password_hash="scrypt:…")) is None
    assert refusal(User(roles="reader", oidc_issuer="https://sso.example.gov.vn", oidc_subject="abc")) is not None
    assert refusal(User(roles="staff", province="86", password_hash="scrypt:…")) is not None

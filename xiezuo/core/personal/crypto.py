"""Encryption at rest and the keyed hash that finds a number without decrypting any row.

Keys live outside the database, in the environment:
- `XIEZUO_PII_KEYS`: comma-separated Fernet keys (`manage.py pii keygen` prints one). The
  first encrypts; all decrypt. To rotate: put a new key first, keep the old ones after it,
  run `manage.py pii rotate` (re-encrypts every encrypted column with the first key), then
  drop the old keys.
- `XIEZUO_PII_HASH_KEY`: the HMAC key of the search index. Changing it means re-indexing
  (`manage.py pii rotate --reindex`), since every stored index was made with the old one.

Without them (the demo, the tests) both are derived from SECRET_KEY with HKDF, and
`manage.py check --deploy` warns. Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`)
rather than a hand-made scheme: authenticated, versioned tokens and MultiFernet's rotation.
"""
import base64
import functools
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


def _derived(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"xiezuo-pii", info=info).derive(settings.SECRET_KEY.encode())


def keys_configured() -> bool:
    return bool(os.environ.get("XIEZUO_PII_KEYS", "").strip())


@functools.cache
def _fernet() -> MultiFernet:
    raw = [k.strip() for k in os.environ.get("XIEZUO_PII_KEYS", "").split(",") if k.strip()]
    if not raw:
        raw = [base64.urlsafe_b64encode(_derived(b"encryption")).decode()]
    return MultiFernet([Fernet(k.encode()) for k in raw])


@functools.cache
def _hash_key() -> bytes:
    raw = os.environ.get("XIEZUO_PII_HASH_KEY", "").strip()
    return raw.encode() if raw else _derived(b"search-index")


def reset_keys():
    """Forget the cached keys (after the environment changed: tests, rotation)."""
    _fernet.cache_clear()
    _hash_key.cache_clear()


def new_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(text: str) -> str:
    if text in (None, ""):
        return text or ""
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    if token in (None, ""):
        return token or ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("an encrypted value cannot be read with the configured keys (XIEZUO_PII_KEYS)") from exc


def rotate_token(token: str) -> str:
    return _fernet().rotate(token.encode()).decode() if token else token


def blind_index(kind: str, value: str) -> str:
    """HMAC-SHA256 of the normalised value, per kind ("id", "phone"), as 64 hex digits: equal
    values give equal indexes, and the index reveals nothing without the key."""
    if not value:
        return ""
    return hmac.new(_hash_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet tokens; Python sees the plain text. Never filter on it (tokens differ for
    equal texts): keep a `blind_index` column beside it for search and uniqueness."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value)


def encrypted_fields():
    """(model, field) for every EncryptedTextField of every installed model."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field

"""Personal data: phone numbers and ID numbers.

Stored as a keyed hash (HMAC-SHA256 under PERSONAL_DATA_KEY, for matching: "is this the same phone?")
plus a Fernet ciphertext (for the few roles that may see the full value, audited) and a masked form for
display. The clear value is never stored, logged or put in a URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalize_phone(raw: str) -> str | None:
    """A mainland mobile number as 11 digits, or None. Accepts spaces, dashes and a +86/86 prefix."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if PHONE_RE.match(digits) else None


def normalize_id_number(raw: str) -> str | None:
    """An 18-character resident ID number (GB 11643) with a valid check digit, or None."""
    value = (raw or "").strip().upper()
    if not ID_NUMBER_RE.match(value):
        return None
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    return value if _ID_CHECK[total % 11] == value[17] else None


def keyed_hash(value: str, *, purpose: str) -> str:
    """A stable, keyed hash for matching. `purpose` separates namespaces (a phone never matches an ID)."""
    key = settings.PERSONAL_DATA_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


@cache
def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(f"minxin-personal-data:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet(settings.PERSONAL_DATA_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.PERSONAL_DATA_KEY).decrypt(token.encode()).decode()


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_id_number(value: str) -> str:
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}" if len(value) >= 8 else "****"


_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")


def redact(text: str) -> str:
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)[-11:]), text)


class RedactPersonalDataFilter(logging.Filter):
    """Masks anything that looks like a phone or ID number in every log record, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

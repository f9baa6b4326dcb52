"""The applicant (申请人): a person by resident ID number or a company by unified social credit code,
stored as keyed hash + ciphertext + masked form, and kept up to date from case to case."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import Citizen
from minxin.cases.models import Applicant, ApplicantKind
from minxin.cases.services.common import field_error

CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_credit_code(raw: str) -> str | None:
    """An 18-character unified social credit code (GB 32100-2015) with a valid check character."""
    value = (raw or "").strip().upper()
    if not CREDIT_CODE_RE.match(value):
        return None
    total = sum(_CREDIT_CHARS.index(ch) * w for ch, w in zip(value[:17], _CREDIT_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    return value if _CREDIT_CHARS[check] == value[17] else None


@dataclass(frozen=True, slots=True)
class ApplicantData:
    kind: str
    name: str
    id_number: str  # a resident ID number, or a credit code for a company
    phone: str
    contact_name: str = ""
    address: str = ""


def _identifier(data: ApplicantData) -> str:
    """The normalized ID number (person) or credit code (company), or the field's error."""
    if data.kind == ApplicantKind.PERSON:
        identifier = personal.normalize_id_number(data.id_number)
        if identifier is None:
            raise field_error("applicant.id_number", _("This is not a valid ID number."), "invalid_id_number")
        return identifier
    identifier = normalize_credit_code(data.id_number)
    if identifier is None:
        raise field_error(
            "applicant.credit_code",
            _("This is not a valid unified social credit code."),
            "invalid_credit_code",
        )
    return identifier


def _validated(data: ApplicantData) -> tuple[str, str, str]:
    """(name, identifier, phone) of valid applicant data, checked field by field in the form's order."""
    if data.kind not in ApplicantKind.values:
        raise field_error("applicant.kind", _("The applicant is a person or a company."), "invalid_kind")
    name = data.name.strip()
    if not name or len(name) > 128:
        raise field_error("applicant.name", _("Enter the applicant's name."), "invalid_name")
    identifier = _identifier(data)
    phone = personal.normalize_phone(data.phone)
    if phone is None:
        raise field_error("applicant.phone", _("Enter a valid mobile number."), "invalid_phone")
    return name, identifier, phone


def applicant_upsert(*, data: ApplicantData, now: dt.datetime) -> Applicant:
    """The applicant with this ID number or credit code, created or brought up to date (name, phone).
    One INSERT … ON CONFLICT DO UPDATE: two windows taking in the same person at once get one row."""
    name, identifier, phone = _validated(data)
    phone_hash = personal.keyed_hash(phone, purpose="phone")
    citizen = Citizen.objects.filter(phone_hash=phone_hash).first()
    row = Applicant(
        kind=data.kind,
        name=name,
        id_hash=personal.keyed_hash(identifier, purpose=f"applicant:{data.kind}"),
        id_encrypted=personal.encrypt(identifier),
        id_masked=personal.mask_id_number(identifier),
        contact_name=data.contact_name.strip()[:64],
        phone_hash=phone_hash,
        phone_encrypted=personal.encrypt(phone),
        phone_masked=personal.mask_phone(phone),
        address=data.address.strip()[:255],
        citizen=citizen,
        created_at=now,
        updated_at=now,
    )
    update = ["name", "contact_name", "phone_hash", "phone_encrypted", "phone_masked", "updated_at"]
    if citizen is not None:
        update.append("citizen")
    if row.address:
        update.append("address")
    Applicant.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["kind", "id_hash"], update_fields=update
    )
    return Applicant.objects.get(kind=row.kind, id_hash=row.id_hash)

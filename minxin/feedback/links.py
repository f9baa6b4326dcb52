"""Signed rating links for the QR code on a ticket, a case notice and the SMS invitation.

A token names one ticket or case and is signed with its own salt, so it cannot be guessed, changed into
another ticket's, or used for anything but rating; it expires after FEEDBACK_LINK_DAYS.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from minxin.cases.models import Case
from minxin.queueing.models import Ticket

SALT = "minxin.feedback.rate"


@dataclass(frozen=True, slots=True)
class LinkTarget:
    kind: str  # "t" (ticket) or "c" (case)
    public_id: uuid.UUID


def _token(kind: str, public_id: uuid.UUID) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{kind}{public_id.hex}")


def ticket_link_token(ticket: Ticket) -> str:
    return _token("t", ticket.public_id)


def case_link_token(case: Case) -> str:
    return _token("c", case.public_id)


def link_target(token: str) -> LinkTarget | None:
    """What a token names, or None when it is forged, changed or expired."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=settings.FEEDBACK_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    if len(value) != 33 or value[0] not in "tc":
        return None
    try:
        return LinkTarget(kind=value[0], public_id=uuid.UUID(hex=value[1:]))
    except ValueError:
        return None

"""Casting a ballot (the hot path), its receipt and the receipt check.

One ballot per real person per campaign is enforced by the database: each identifier of the voter (ID
number, phone, external id) is a unique `BallotIdentifier` row written in the ballot's own statement
(PostgreSQL: `sql.ballot_insert`, one statement in autocommit; SQLite: one transaction). A second ballot
through any channel fails there and becomes 409 `already_voted`. A retried submission with the same
`Idempotency-Key` (and voter) gets the receipt of the first.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from minxin.core.throttle import throttle_hit
from minxin.voting import sql
from minxin.voting.models import (
    OFFLINE_CHANNELS,
    Ballot,
    BallotIdentifier,
    BallotKind,
    Campaign,
    Candidate,
    Channel,
    Eligibility,
    EligibleVoter,
    IdentifierKind,
)
from minxin.voting.selectors import campaign_rules

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over the phone
RECEIPT_LENGTH = 10
_ID_PREFIX_DIGITS = {"province": 2, "city": 4, "county": 6}
_CHANNELS = frozenset(Channel.values)


@dataclass(frozen=True, slots=True)
class Cast:
    receipt: str
    choices: list[int]
    channel: str
    cast_at: dt.datetime
    replayed: bool = False


def receipt_new() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def receipt_display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}" if len(code) == RECEIPT_LENGTH else code


def receipt_normalize(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def _choices_checked(
    campaign: Campaign, candidates: dict[int, Candidate], choices: Sequence[int]
) -> list[int]:
    """The choices validated against the ballot rule: ranked order kept, otherwise sorted."""
    picked = [int(number) for number in choices]
    unknown = [number for number in picked if number not in candidates]
    if unknown:
        raise InvalidInput(
            _("No such candidate: %(numbers)s.") % {"numbers": ", ".join(map(str, unknown))},
            code="unknown_candidate",
            details={"field": "choices"},
        )
    if len(set(picked)) != len(picked):
        raise InvalidInput(_("A candidate is chosen twice."), details={"field": "choices"})
    if not campaign.min_choices <= len(picked) <= campaign.max_choices:
        raise InvalidInput(
            _("Choose %(min)d to %(max)d projects.")
            % {"min": campaign.min_choices, "max": campaign.max_choices},
            code="wrong_number_of_choices",
            details={"field": "choices", "min": campaign.min_choices, "max": campaign.max_choices},
        )
    if campaign.ballot_kind == BallotKind.BUDGET:
        total = sum((candidates[number].cost for number in picked), Decimal(0))
        if campaign.ballot_budget is not None and total > campaign.ballot_budget:
            raise InvalidInput(
                _("The projects chosen cost %(total)s, more than the limit of %(limit)s.")
                % {"total": total, "limit": campaign.ballot_budget},
                code="over_budget",
                details={"field": "choices"},
            )
    return picked if campaign.ballot_kind == BallotKind.RANKING else sorted(picked)


def _network(ip: str | None) -> tuple[str, str]:
    """(keyed hash of the address, its /24 or /48 network for the audit report)."""
    found = _address_and_network(ip) if ip else None
    if found is None:
        return "", ""
    address, network = found
    return personal.keyed_hash(address, purpose="voting-ip"), network


@functools.lru_cache(maxsize=4096)
def _address_and_network(ip: str) -> tuple[str, str] | None:
    """The address written canonically and its /24 (IPv4) or /48 (IPv6) network, or None for a value that
    is not an address (kept per process: the same clients and proxies send most ballots)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(address), str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _eligible(campaign: Campaign, id_number: str, id_hash: str) -> bool:
    if campaign.eligibility == Eligibility.REGION:
        digits = _ID_PREFIX_DIGITS.get(campaign.region.level, 6)
        return id_number[:digits] == campaign.region.code[:digits]
    if campaign.eligibility == Eligibility.LIST:
        return EligibleVoter.objects.filter(campaign_id=campaign.pk, id_number_hash=id_hash).exists()
    return True


def _row(
    campaign: Campaign,
    picked: list[int],
    channel: str,
    *,
    now: dt.datetime,
    ip: str | None,
    device: str,
    entered_by: User | None,
) -> dict[str, Any]:
    """The ballot row's values (sql.ballot_insert's parameters) but its idempotency hash."""
    ip_hash, ip_prefix = _network(ip)
    return {
        "campaign": campaign.pk,
        "now": now,
        "public_id": uuid.uuid4(),
        "receipt": receipt_new(),
        "choices": ",".join(map(str, picked)),
        "channel": channel,
        "ip_hash": ip_hash,
        "ip_prefix": ip_prefix,
        "device_hash": personal.keyed_hash(device, purpose="voting-device") if device else "",
        "entered_by": entered_by.pk if entered_by else None,
    }


def _eligible_hash(campaign: Campaign, normalized_id: str) -> str:
    """The ID number's keyed hash, once it is found eligible (Forbidden `not_eligible` otherwise)."""
    id_hash = personal.keyed_hash(normalized_id, purpose="id_number")
    if not _eligible(campaign, normalized_id, id_hash):
        raise Forbidden(
            _("This ID number is not among the eligible voters of this campaign."), code="not_eligible"
        )
    return id_hash


def _channel_checked(channel: str, *, entered_by: User | None, external_id: str, phone_hash: str) -> None:
    if channel not in _CHANNELS:
        raise InvalidInput(_("Unknown channel."), details={"field": "channel"})
    if channel in OFFLINE_CHANNELS and entered_by is None:
        raise Forbidden(
            _("Only a campaign officer enters paper, email and phone ballots."), code="officer_only"
        )
    if channel == Channel.WECHAT and not external_id:
        raise InvalidInput(
            _("A WeChat ballot needs the voter's external id."), details={"field": "voter.external_id"}
        )
    if channel == Channel.WEB and not phone_hash:
        raise Forbidden(_("Verify your phone first."), code="phone_not_verified")


def _identifiers(
    channel: str, *, id_hash: str, phone: str | None, phone_hash: str, external_id: str
) -> tuple[list[tuple[str, str]], str]:
    """The voter's identifiers as (kind, keyed hash), and the phone's hash ("" without a phone)."""
    identifiers: list[tuple[str, str]] = [(str(IdentifierKind.ID_NUMBER), id_hash)]
    if phone and not phone_hash:
        normalized_phone = personal.normalize_phone(phone)
        if normalized_phone is None:
            raise InvalidInput(
                _("Enter a valid mainland mobile number (11 digits)."), details={"field": "voter.phone"}
            )
        phone_hash = personal.keyed_hash(normalized_phone, purpose="phone")
    if phone_hash:
        identifiers.append((str(IdentifierKind.PHONE), phone_hash))
    if external_id:
        external = personal.keyed_hash(external_id.strip(), purpose=f"external:{channel}")
        identifiers.append((str(IdentifierKind.EXTERNAL), external))
    return identifiers, phone_hash


def _throttled(ip: str | None, phone_hash: str) -> None:
    """A citizen's online ballot: a few per address and per phone an hour."""
    if ip:
        throttle_hit(
            scope="vote-ip", subject=ip, limit=settings.VOTING_BALLOTS_PER_IP_PER_HOUR, period_seconds=3600
        )
    throttle_hit(
        scope="vote-phone",
        subject=phone_hash,
        limit=settings.VOTING_TRIES_PER_PHONE_PER_HOUR,
        period_seconds=3600,
    )


def ballot_cast(
    *,
    campaign: Campaign,
    choices: Sequence[int],
    channel: str,
    id_number: str,
    phone: str | None = None,
    phone_hash: str = "",
    external_id: str = "",
    entered_by: User | None = None,
    ip: str | None = None,
    device: str = "",
    idempotency_key: str = "",
) -> Cast:
    """Cast one whole ballot. `phone_hash` is a phone already verified (a signed-in citizen); `phone` one
    given on an offline ballot. Raises InvalidInput (the ID number, choices against the rule), Forbidden
    (not eligible), Conflict `voting_not_open` or `already_voted`; writes nothing then."""
    _channel_checked(channel, entered_by=entered_by, external_id=external_id, phone_hash=phone_hash)
    rules = campaign_rules(campaign.pk)
    if rules is None:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    frozen, candidates = rules
    normalized_id = personal.normalize_id_number(id_number)
    if normalized_id is None:
        raise InvalidInput(
            _("Enter a valid 18-character resident ID number."),
            code="invalid_id_number",
            details={"field": "voter.id_number"},
        )
    picked = _choices_checked(frozen, candidates, choices)
    id_hash = _eligible_hash(frozen, normalized_id)
    identifiers, phone_hash = _identifiers(
        channel, id_hash=id_hash, phone=phone, phone_hash=phone_hash, external_id=external_id
    )
    if channel == Channel.WEB:
        _throttled(ip, phone_hash)
    idempotency_hash = (
        personal.keyed_hash(f"{campaign.pk}:{idempotency_key}:{id_hash}", purpose="ballot-idempotency")
        if idempotency_key
        else ""
    )
    now = clock.now()
    params = _row(campaign, picked, channel, now=now, ip=ip, device=device, entered_by=entered_by)
    params["idempotency_hash"] = idempotency_hash
    try:
        inserted = _insert(params, identifiers)
    except IntegrityError:
        if idempotency_hash and (replay := _replay(campaign, idempotency_hash, picked)) is not None:
            return replay
        raise Conflict(_("This person has already voted in this campaign."), code="already_voted") from None
    if not inserted:
        raise Conflict(_("Voting is not open for this campaign."), code="voting_not_open")
    return Cast(receipt=params["receipt"], choices=picked, channel=channel, cast_at=now)


def _insert(params: dict[str, Any], identifiers: list[tuple[str, str]]) -> bool:
    rows = [(str(uuid.uuid4()), str(kind), value) for kind, value in identifiers]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return sql.ballot_insert(params=params, identifiers=rows) is not None
    if connection.vendor != "sqlite":
        with transaction.atomic():
            return _insert_orm(params, rows)
    with transaction.atomic():
        return sql.ballot_insert_two_statements(params=params, identifiers=rows)


def _insert_orm(params: dict[str, Any], rows: list[tuple[str, str, str]]) -> bool:
    """PostgreSQL inside a caller's transaction (a savepoint keeps a refusal from spoiling it)."""
    campaign = Campaign.objects.filter(
        pk=params["campaign"], state="voting", opens_at__lte=params["now"], closes_at__gt=params["now"]
    ).first()
    if campaign is None:
        return False
    Ballot.objects.create(
        campaign=campaign,
        public_id=params["public_id"],
        receipt=params["receipt"],
        choices=params["choices"],
        channel=params["channel"],
        cast_at=params["now"],
        ip_hash=params["ip_hash"],
        ip_prefix=params["ip_prefix"],
        device_hash=params["device_hash"],
        entered_by_id=params["entered_by"],
        idempotency_hash=params["idempotency_hash"],
    )
    BallotIdentifier.objects.bulk_create(
        [
            BallotIdentifier(id=row_id, campaign=campaign, kind=kind, value_hash=value)
            for row_id, kind, value in rows
        ]
    )
    return True


def _replay(campaign: Campaign, idempotency_hash: str, picked: list[int]) -> Cast | None:
    ballot = Ballot.objects.filter(campaign=campaign, idempotency_hash=idempotency_hash).first()
    if ballot is None:
        return None
    if ballot.choices != ",".join(map(str, picked)):
        raise InvalidInput(
            _("This Idempotency-Key was used for another ballot."),
            code="idempotency_key_reused",
            details={"field": "Idempotency-Key"},
        )
    return Cast(
        receipt=ballot.receipt, choices=picked, channel=ballot.channel, cast_at=ballot.cast_at, replayed=True
    )


def receipt_check(*, campaign: Campaign, code: str, ip: str | None) -> Ballot:
    """The ballot behind a receipt code: its own choices, to its holder. A few tries per hour per address,
    so codes cannot be guessed in bulk."""
    if ip:
        throttle_hit(
            scope="vote-receipt-ip",
            subject=ip,
            limit=settings.VOTING_RECEIPT_CHECKS_PER_IP_PER_HOUR,
            period_seconds=3600,
        )
    ballot = Ballot.objects.filter(campaign=campaign, receipt=receipt_normalize(code)).first()
    if ballot is None:
        raise NotFound(_("No ballot has this receipt code in this campaign."), code="receipt_not_found")
    return ballot

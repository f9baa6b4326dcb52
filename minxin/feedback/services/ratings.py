"""Ratings: one per ticket (一次一评) and per case (一事一评), on whichever channel comes first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minxin.accounts.models import Citizen, User
from minxin.cases.models import Case, CaseStatus
from minxin.core import clock
from minxin.core.errors import Conflict, InvalidInput
from minxin.core.events import publish_on_commit
from minxin.core.throttle import throttle_hit
from minxin.feedback.models import (
    BAD_MAX,
    Indicator,
    Rating,
    RatingChannel,
    Rectification,
    RectificationStep,
)
from minxin.queueing.models import Ticket, TicketStatus
from minxin.queueing.rules import hall_topic

HOUR = 3600
COMMENT_MAX = 500


@dataclass(frozen=True, slots=True)
class RatingInput:
    score: Any
    channel: str
    indicators: list[str] = field(default_factory=list)
    comment: str = ""


def _checked(given: RatingInput) -> tuple[int, list[str], str]:
    """(score, indicators, comment) once valid; InvalidInput naming the field otherwise. Indicators are
    kept on bad ratings only: they say what went wrong."""
    score = given.score
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(_("The score must be a whole number from 1 to 5."), details={"field": "score"})
    if given.channel not in RatingChannel.values:
        raise InvalidInput(_("Unknown rating channel."), details={"field": "channel"})
    indicators = list(dict.fromkeys(given.indicators))
    unknown = [value for value in indicators if value not in Indicator.values]
    if unknown:
        raise InvalidInput(
            _("Unknown indicator: %(names)s.") % {"names": ", ".join(unknown)},
            details={"field": "indicators"},
        )
    comment = given.comment.strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(
            _("The comment is longer than %(max)s characters.") % {"max": COMMENT_MAX},
            details={"field": "comment"},
        )
    return score, (indicators if score <= BAD_MAX else []), comment


def rating_throttle(*, device: User | None = None, ip: str | None = None, phone_hash: str = "") -> None:
    """Count one rating try against the limits per device account, client address and phone (any that
    is known); raises Throttled past one of them."""
    if device is not None:
        throttle_hit(
            scope="rate-device",
            subject=str(device.pk),
            limit=settings.FEEDBACK_RATINGS_PER_DEVICE_PER_HOUR,
            period_seconds=HOUR,
        )
    elif ip:
        throttle_hit(
            scope="rate-ip", subject=ip, limit=settings.FEEDBACK_RATINGS_PER_IP_PER_HOUR, period_seconds=HOUR
        )
    if phone_hash:
        throttle_hit(
            scope="rate-phone",
            subject=phone_hash,
            limit=settings.FEEDBACK_RATINGS_PER_PHONE_PER_HOUR,
            period_seconds=HOUR,
        )


def ticket_rate(
    *, ticket: Ticket, given: RatingInput, citizen: Citizen | None = None, at: dt.datetime | None = None
) -> Rating:
    """Rate a finished ticket. The unique constraint on the ticket decides between parallel tries:
    the first to commit wins, every other gets Conflict `already_rated` (409). A bad score opens the
    ticket's rectification in the same transaction."""
    score, indicators, comment = _checked(given)
    if ticket.status != TicketStatus.DONE:
        raise InvalidInput(
            _("Only a finished service can be rated."),
            code="ticket_not_finished",
            details={"field": "ticket"},
        )
    return rating_create(
        fields=ticket_rating_fields(ticket, citizen),
        score=score,
        indicators=indicators,
        comment=comment,
        channel=given.channel,
        at=at,
    )


def case_rate(
    *, case: Case, given: RatingInput, citizen: Citizen | None = None, at: dt.datetime | None = None
) -> Rating:
    """Rate a completed case (一事一评), once, like `ticket_rate`. Its date is the day it completed, in
    the hall's zone."""
    score, indicators, comment = _checked(given)
    if case.status != CaseStatus.COMPLETED or case.completed_at is None:
        raise InvalidInput(
            _("Only a completed case can be rated."), code="case_not_completed", details={"field": "case"}
        )
    return rating_create(
        fields=case_rating_fields(case, citizen),
        score=score,
        indicators=indicators,
        comment=comment,
        channel=given.channel,
        at=at,
    )


def ticket_rating_fields(ticket: Ticket, citizen: Citizen | None = None) -> dict[str, Any]:
    """What a rating of `ticket` records about where the service happened and whom to answer."""
    window, hall = ticket.window, ticket.hall
    phone = (ticket.phone_hash, ticket.phone_masked, ticket.phone_encrypted)
    if citizen is not None and not phone[2]:  # the ticket's own phone is gone (closed): the citizen's
        phone = (citizen.phone_hash, citizen.phone_masked, citizen.phone_encrypted)
    return {
        "ticket": ticket,
        "hall": hall,
        "unit_id": hall.unit_id,
        "region_id": hall.unit.region_id,
        "department_id": window.department_id if window else None,
        "window": window,
        "clerk_id": ticket.clerk_id,
        "service_date": ticket.service_date,
        "service_name": ticket.service.name,
        "citizen": citizen,
        "phone_hash": phone[0],
        "phone_masked": phone[1],
        "phone_encrypted": phone[2],
    }


def case_rating_fields(case: Case, citizen: Citizen | None = None) -> dict[str, Any]:
    """Like `ticket_rating_fields`; a case's date is the day it completed, in its hall's zone."""
    hall, applicant = case.hall, case.applicant
    assert case.completed_at is not None
    phone = (applicant.phone_hash, applicant.phone_masked, applicant.phone_encrypted)
    if citizen is not None and not phone[2]:  # the ticket's own phone is gone (closed): the citizen's
        phone = (citizen.phone_hash, citizen.phone_masked, citizen.phone_encrypted)
    return {
        "case": case,
        "hall": hall,
        "unit_id": hall.unit_id,
        "region_id": hall.unit.region_id,
        "department_id": case.department_id,
        "window_id": case.window_id,
        "clerk_id": case.clerk_id,
        "service_date": case.completed_at.astimezone(ZoneInfo(hall.time_zone)).date(),
        "service_name": case.item_version.name,
        "citizen": citizen,
        "phone_hash": phone[0],
        "phone_masked": phone[1],
        "phone_encrypted": phone[2],
    }


@dataclass(frozen=True, slots=True)
class HistoricRating:
    fields: dict[str, Any]
    score: int
    channel: str
    rated_at: dt.datetime
    comment: str = ""


def ratings_import(rows: list[HistoricRating]) -> int:
    """Load good and middling ratings of past services in bulk (a former rating system's records, the
    demo's history). Bad ones must go through `ticket_rate`/`case_rate`, which open their loop; a
    service already rated is skipped (the unique constraints), so an import can be repeated."""
    if any(row.score <= BAD_MAX for row in rows):
        raise InvalidInput(
            _("Bad ratings open a rectification: rate them one by one."), details={"field": "score"}
        )
    made = Rating.objects.bulk_create(
        [
            Rating(
                **row.fields, score=row.score, channel=row.channel, rated_at=row.rated_at, comment=row.comment
            )
            for row in rows
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(made)


def rating_create(
    *,
    fields: dict[str, Any],
    score: int,
    indicators: list[str],
    comment: str,
    channel: str,
    at: dt.datetime | None = None,
) -> Rating:
    """The insert shared by tickets and cases (`fields` says what was rated and where)."""
    from minxin.feedback.services.loop import rectification_open

    now = at or clock.now()
    rating = Rating(
        **fields, score=score, indicators=indicators, comment=comment, channel=channel, rated_at=now
    )
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: PostgreSQL keeps the outer transaction usable
                rating.save(force_insert=True)
        except IntegrityError:
            raise Conflict(_("This service has already been rated."), code="already_rated") from None
        if rating.is_bad:
            rectification_open(rating=rating, at=now)
        publish_on_commit(
            hall_topic(rating.hall),
            {
                "type": "rated",
                "ticket": str(rating.ticket.public_id) if rating.ticket else None,
                "case": str(rating.case.public_id) if rating.case else None,
                "window": rating.window.number if rating.window else None,
                "score": score,
                "at": now.isoformat(),
            },
        )
    return rating


def rating_steps(rectification: Rectification) -> list[RectificationStep]:
    return list(rectification.steps.select_related("actor"))

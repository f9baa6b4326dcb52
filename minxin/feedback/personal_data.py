"""Feedback's part of personal data (PIPL): a rating keeps the rater's phone (hash, masked, encrypted)
and account only to answer a bad review. Both go FEEDBACK_PERSONAL_DAYS after the service date, or at
the citizen's request, except while a bad-review loop still owes the citizen its reply. The rating
itself (score, indicators, comment) stays: it is the hall's record and counts in its statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.core import clock
from minxin.core.personal_data import Erasure, Subject
from minxin.feedback.models import Rating, RectificationStatus
from minxin.orgs.models import Hall


def _halls() -> list[int]:
    return list(Hall.objects.order_by("pk").values_list("pk", flat=True))


def _awaiting_reply(ratings: QuerySet[Rating]) -> QuerySet[Rating]:
    return ratings.filter(rectification__isnull=False).exclude(
        rectification__status=RectificationStatus.CLOSED
    )


def _clear(ratings: QuerySet[Rating]) -> int:
    settled = ratings.exclude(pk__in=_awaiting_reply(ratings).values("pk"))
    return settled.exclude(phone_hash="", phone_masked="", phone_encrypted="", citizen__isnull=True).update(
        phone_hash="", phone_masked="", phone_encrypted="", citizen=None
    )


def ratings_retention() -> int:
    """Worker job: clear the phone and account of ratings older than FEEDBACK_PERSONAL_DAYS, over the
    (hall, service_date) index in a window of PERSONAL_DATA_SWEEP_DAYS days."""
    cutoff = timezone.localdate(clock.now()) - dt.timedelta(days=settings.FEEDBACK_PERSONAL_DAYS)
    since = cutoff - dt.timedelta(days=settings.PERSONAL_DATA_SWEEP_DAYS)
    return _clear(
        Rating.objects.filter(hall_id__in=_halls(), service_date__gte=since, service_date__lt=cutoff)
    )


def _ratings_of(subject: Subject) -> QuerySet[Rating]:
    match = Q(citizen_id=subject.citizen_id)
    if subject.phone_hash:
        match |= Q(phone_hash=subject.phone_hash)
    return Rating.objects.filter(match)


def ratings_export(subject: Subject) -> list[dict[str, Any]]:
    rows = _ratings_of(subject).select_related("hall").order_by("rated_at")
    return [
        {
            "hall": rating.hall.name,
            "service": rating.service_name,
            "date": rating.service_date.isoformat(),
            "score": rating.score,
            "indicators": rating.indicators,
            "comment": rating.comment,
            "rated_at": rating.rated_at.isoformat(),
            "phone": rating.phone_masked,
        }
        for rating in rows
    ]


@transaction.atomic
def ratings_erase(subject: Subject) -> Erasure:
    mine = _ratings_of(subject)
    erasure = Erasure(erased=_clear(mine))
    if _awaiting_reply(mine).exists():
        erasure.kept.append(
            _(
                "A bad review of yours is still being handled: its phone is kept until the hall has "
                "replied to you and closed it, then cleared."
            )
        )
    return erasure


def register() -> None:
    """Called from FeedbackConfig.ready()."""
    from minxin.core.personal_data import register_personal_data

    register_personal_data(
        app="feedback",
        label=gettext_lazy("Ratings"),
        export=ratings_export,
        erase=ratings_erase,
        retention=ratings_retention,
    )

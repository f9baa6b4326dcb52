"""PIPL: a rating keeps the rater's phone only to answer a bad review: cleared after
FEEDBACK_PERSONAL_DAYS or at the citizen's request, except while the loop still owes the reply."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minxin.accounts import personal
from minxin.core.personal_data import Subject
from minxin.feedback.models import Rating, Rectification
from minxin.feedback.personal_data import ratings_erase, ratings_export, ratings_retention
from minxin.feedback.services import RatingInput, ticket_rate

pytestmark = pytest.mark.django_db
PHONE = "13800138000"


def subject() -> Subject:
    return Subject(citizen_id=0, public_id="", phone_hash=personal.keyed_hash(PHONE, purpose="phone"))


def rated(served: Any, score: int) -> Rating:
    ticket = served.ticket(phone=PHONE)
    return ticket_rate(ticket=ticket, given=RatingInput(score=score, channel="qr", comment=""))


def test_a_ratings_phone_goes_after_the_period(served: Any, at_open_hall: Any, settings: Any) -> None:
    settings.FEEDBACK_PERSONAL_DAYS = 60
    rating = rated(served, 5)
    assert rating.phone_masked == "138****8000"
    at_open_hall.shift(dt.timedelta(days=59))
    assert ratings_retention() == 0
    at_open_hall.shift(dt.timedelta(days=2))
    assert ratings_retention() == 1
    rating.refresh_from_db()
    assert (rating.phone_hash, rating.phone_masked, rating.phone_encrypted, rating.score) == ("", "", "", 5)


def test_erasure_keeps_the_phone_of_a_bad_review_still_owed_a_reply(served: Any) -> None:
    good, bad = rated(served, 5), rated(served, 1)
    assert Rectification.objects.filter(rating=bad).exists()
    assert [row["score"] for row in ratings_export(subject())] == [5, 1]

    erasure = ratings_erase(subject())

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (erasure.erased, good.phone_hash, good.phone_masked) == (1, "", "")
    assert bad.phone_masked == "138****8000"
    assert len(erasure.kept) == 1

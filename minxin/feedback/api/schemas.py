"""The feedback API's request and answer shapes (the operations are in the package's `__init__`)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from minxin.feedback.models import Appeal, Rating, Rectification
from minxin.feedback.selectors import Figures


class RatingIn(Schema):
    ticket: uuid.UUID | None = Field(None, description="The ticket's id (one of ticket or case)")
    case: uuid.UUID | None = Field(None, description="The case's id (one of ticket or case)")
    score: int = Field(description="5 very satisfied … 1 very dissatisfied")
    indicators: list[str] = Field(
        default_factory=list,
        max_length=8,
        description="On a bad rating: efficiency, professional, attitude (offline); efficiency, "
        "guide_accuracy, convenience, usability (online)",
    )
    comment: str = Field("", max_length=500)
    channel: Literal["device", "qr", "web", "sms", "api"]


class RatingOut(Schema):
    id: uuid.UUID
    ticket: uuid.UUID | None
    case: uuid.UUID | None
    score: int
    indicators: list[str]
    comment: str
    channel: str
    rated_at: dt.datetime
    rectification: uuid.UUID | None

    @staticmethod
    def of(rating: Rating) -> RatingOut:
        rectification = (
            Rectification.objects.filter(rating=rating).values_list("public_id", flat=True).first()
        )
        return RatingOut(
            id=rating.public_id,
            ticket=rating.ticket.public_id if rating.ticket else None,
            case=rating.case.public_id if rating.case else None,
            score=rating.score,
            indicators=list(rating.indicators),
            comment=rating.comment,
            channel=rating.channel,
            rated_at=rating.rated_at,
            rectification=rectification,
        )


class FiguresOut(Schema):
    count: int
    mean: Decimal | None
    satisfaction_rate: Decimal | None
    bad: int
    excluded: int
    rectified_on_time: int
    appeals_upheld: int
    appeals_rejected: int
    served: int
    participation: Decimal | None


class WindowFiguresOut(FiguresOut):
    window: str
    name: str


class ClerkFiguresOut(FiguresOut):
    clerk: str
    name: str


class SummaryOut(FiguresOut):
    hall: str
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    by_window: list[WindowFiguresOut]
    by_clerk: list[ClerkFiguresOut]


def figures_fields(row: Figures | None) -> dict[str, object]:
    row = row or Figures(key=None)
    return {
        "count": row.count,
        "mean": row.mean,
        "satisfaction_rate": row.satisfaction_rate,
        "bad": row.bad,
        "excluded": row.excluded,
        "rectified_on_time": row.rectified_on_time,
        "appeals_upheld": row.appeals_upheld,
        "appeals_rejected": row.appeals_rejected,
        "served": row.served,
        "participation": row.participation,
    }


class SummaryQuery(Schema):
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")


class AppealOut(Schema):
    ground: str
    reason: str
    status: str
    decision_reason: str
    decided_at: dt.datetime | None


class RectificationOut(Schema):
    id: uuid.UUID
    hall: str
    department: str | None
    window: str | None
    clerk: str | None
    score: int
    indicators: list[str]
    comment: str
    status: str
    opened_at: dt.datetime
    step_due: dt.date
    late: bool
    clerk_account: str
    finding: str
    measures: str
    reply: str
    closed_at: dt.datetime | None
    resolution: str
    follow_up_score: int | None
    appeal: AppealOut | None

    @staticmethod
    def of(row: Rectification) -> RectificationOut:
        rating = row.rating
        appeal: Appeal | None = getattr(row, "appeal", None)
        return RectificationOut(
            id=row.public_id,
            hall=row.hall.code,
            department=row.department.name if row.department else None,
            window=rating.window.number if rating.window else None,
            clerk=rating.clerk.username if rating.clerk else None,
            score=rating.score,
            indicators=list(rating.indicators),
            comment=rating.comment,
            status=row.status,
            opened_at=row.opened_at,
            step_due=row.step_due,
            late=row.late,
            clerk_account=row.clerk_account,
            finding=row.finding,
            measures=row.measures,
            reply=row.reply,
            closed_at=row.closed_at,
            resolution=row.resolution,
            follow_up_score=row.follow_up_score,
            appeal=AppealOut(
                ground=appeal.ground,
                reason=appeal.reason,
                status=appeal.status,
                decision_reason=appeal.decision_reason,
                decided_at=appeal.decided_at,
            )
            if appeal is not None
            else None,
        )


class VerifyIn(Schema):
    clerk_account: str = Field(max_length=2000)
    finding: str = Field(max_length=2000)


class MeasuresIn(Schema):
    measures: str = Field(max_length=2000)


class ReplyIn(Schema):
    reply: str = Field(max_length=2000)


class RecheckIn(Schema):
    passed: bool
    note: str = Field("", max_length=2000)


class AppealIn(Schema):
    ground: Literal["mistaken", "malicious", "outside_remit"]
    reason: str = Field(max_length=2000)


class DecideIn(Schema):
    upheld: bool
    reason: str = Field(max_length=2000)


class HonourOut(Schema):
    kind: str
    month: str
    rank: int
    clerk: str | None
    staff_number: str | None
    window: str | None
    window_name: str | None
    citation: str
    figures: dict[str, object]


class HonoursOut(Schema):
    hall: str
    month: str | None
    honours: list[HonourOut]

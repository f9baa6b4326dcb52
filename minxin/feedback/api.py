"""The feedback API (one ninja Router, mounted under /api/v1/ by minxin.api)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.accounts.models import Citizen, Role, User
from minxin.cases.models import Case
from minxin.core.audit import client_ip
from minxin.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from minxin.feedback.models import Appeal, Rating, Rectification
from minxin.feedback.selectors import Figures, current_honours, hall_summary, rectifications_for
from minxin.feedback.services import (
    RatingInput,
    appeal_decide,
    case_rate,
    rating_throttle,
    rectification_appeal,
    rectification_recheck,
    rectification_rectify,
    rectification_reply,
    rectification_verify,
    ticket_rate,
)
from minxin.orgs.api import hall_or_404
from minxin.orgs.selectors import hall_get, staff_may_act_in_hall
from minxin.queueing.api import optional_auth
from minxin.queueing.models import Ticket

router = Router(tags=["feedback"])
DEVICE_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER]


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


def _caller_may_use(
    channel: str, auth: object, *, hall_code: str, phone_hash: str, citizen_id: int | None
) -> None:
    """Who may rate on which channel: the device and api channels need a device or integration
    account (the device one of this hall), web a signed-in citizen whose service it was; QR and SMS
    links carry the service's unguessable id and need nobody signed in."""
    user = auth if isinstance(auth, User) else None
    if channel == "device":
        hall = hall_get(code=hall_code)
        if (
            user is None
            or hall is None
            or not staff_may_act_in_hall(user=user, hall=hall, roles=DEVICE_ROLES)
        ):
            raise Forbidden(_("The device channel needs this hall's rating device."), code="out_of_scope")
    elif channel == "api" and user is None:
        raise NotAuthenticated(_("The api channel needs an API token."), code="not_authenticated")
    elif channel == "web":
        if not isinstance(auth, Citizen):
            raise NotAuthenticated(_("Sign in with your phone first."), code="citizen_sign_in_required")
        if auth.phone_hash != phone_hash and auth.pk != citizen_id:
            raise Forbidden(_("You can rate only your own services."), code="not_yours")


@router.post(
    "/ratings",
    response={201: RatingOut},
    auth=optional_auth,
    summary="Rate a finished ticket or a completed case, once (409 already_rated)",
)
def rating_create_api(request: HttpRequest, payload: RatingIn) -> Status[RatingOut]:
    if (payload.ticket is None) == (payload.case is None):
        raise InvalidInput(_("Give either a ticket or a case."), details={"field": "ticket"})
    auth = getattr(request, "auth", None)
    given = RatingInput(
        score=payload.score, channel=payload.channel, indicators=payload.indicators, comment=payload.comment
    )
    citizen = auth if isinstance(auth, Citizen) else None
    device = auth if isinstance(auth, User) else None
    if payload.ticket is not None:
        ticket_id: uuid.UUID = payload.ticket
        ticket = (
            Ticket.objects.select_related("hall__unit", "service", "window")
            .filter(public_id=ticket_id)
            .first()
        )
        if ticket is None:
            raise NotFound(_("No such number."), code="ticket_not_found")
        _caller_may_use(
            payload.channel, auth, hall_code=ticket.hall.code, phone_hash=ticket.phone_hash, citizen_id=None
        )
        rating_throttle(device=device, ip=client_ip(request), phone_hash=ticket.phone_hash)
        rating = ticket_rate(ticket=ticket, given=given, citizen=citizen)
    else:
        case = (
            Case.objects.select_related("hall__unit", "applicant", "item_version")
            .filter(public_id=str(payload.case))
            .first()
        )
        if case is None:
            raise NotFound(_("No such case."), code="case_not_found")
        _caller_may_use(
            payload.channel,
            auth,
            hall_code=case.hall.code,
            phone_hash=case.applicant.phone_hash,
            citizen_id=case.applicant.citizen_id,
        )
        rating_throttle(device=device, ip=client_ip(request), phone_hash=case.applicant.phone_hash)
        rating = case_rate(case=case, given=given, citizen=citizen)
    return Status(201, RatingOut.of(rating))


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


def _figures(row: Figures | None) -> dict[str, object]:
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


@router.get(
    "/halls/{hall}/ratings/summary",
    response=SummaryOut,
    auth=staff_auth,
    by_alias=True,
    summary="A hall's rating figures for a period, by window and by clerk (managers, the city office)",
)
def rating_summary_api(request: HttpRequest, hall: str, query: Query[SummaryQuery]) -> SummaryOut:
    the_hall = hall_or_404(hall)
    user = request_user(request)
    if not staff_may_act_in_hall(user=user, hall=the_hall, roles=[Role.HALL_MANAGER, Role.CITY_OFFICE]):
        raise Forbidden(
            _("Only the hall's managers and the city office see its figures."), code="out_of_scope"
        )
    if query.date_to < query.date_from or (query.date_to - query.date_from).days > 366:
        raise InvalidInput(_("Choose a period of at most a year, from before to."), details={"field": "to"})
    summary = hall_summary(hall=the_hall, date_from=query.date_from, date_to=query.date_to)
    return SummaryOut.model_validate(
        {
            "hall": the_hall.code,
            "from": query.date_from,
            "to": query.date_to,
            **_figures(summary.total),
            "by_window": [
                {"window": window.number, "name": window.name, **_figures(row)}
                for window, row in summary.windows
            ],
            "by_clerk": [
                {"clerk": clerk.username, "name": str(clerk), **_figures(row)}
                for clerk, row in summary.clerks
            ],
        }
    )


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


MAX_OFFSET = 1_000_000


@router.get(
    "/rectifications",
    response=list[RectificationOut],
    auth=staff_auth,
    summary="Bad reviews and their rectification, as far as the caller may see them",
)
def rectification_list_api(
    request: HttpRequest, hall: str = "", status: str = "", limit: int = 50, offset: int = 0
) -> list[RectificationOut]:
    the_hall = hall_or_404(hall) if hall else None
    rows = rectifications_for(user=request_user(request), hall=the_hall, status=status)
    limit = max(1, min(limit, 200))
    offset = max(0, min(offset, MAX_OFFSET))  # past any list, and within the database's integers
    return [RectificationOut.of(row) for row in rows[offset : offset + limit]]


def _rectification(user: User, public_id: uuid.UUID) -> Rectification:
    row = rectifications_for(user=user).filter(public_id=public_id).first()
    if row is None:
        raise NotFound(_("No such bad review."), code="rectification_not_found")
    return row


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


def _answer(user: User, public_id: uuid.UUID) -> RectificationOut:
    return RectificationOut.of(_rectification(user, public_id))


@router.post("/rectifications/{rectification_id}/verify", response=RectificationOut, auth=staff_auth)
def rectification_verify_api(
    request: HttpRequest, rectification_id: uuid.UUID, payload: VerifyIn
) -> RectificationOut:
    user = request_user(request)
    rectification_verify(
        rectification=_rectification(user, rectification_id),
        actor=user,
        clerk_account=payload.clerk_account,
        finding=payload.finding,
    )
    return _answer(user, rectification_id)


@router.post("/rectifications/{rectification_id}/rectify", response=RectificationOut, auth=staff_auth)
def rectification_rectify_api(
    request: HttpRequest, rectification_id: uuid.UUID, payload: MeasuresIn
) -> RectificationOut:
    user = request_user(request)
    rectification_rectify(
        rectification=_rectification(user, rectification_id), actor=user, measures=payload.measures
    )
    return _answer(user, rectification_id)


@router.post("/rectifications/{rectification_id}/reply", response=RectificationOut, auth=staff_auth)
def rectification_reply_api(
    request: HttpRequest, rectification_id: uuid.UUID, payload: ReplyIn
) -> RectificationOut:
    user = request_user(request)
    rectification_reply(rectification=_rectification(user, rectification_id), actor=user, reply=payload.reply)
    return _answer(user, rectification_id)


@router.post("/rectifications/{rectification_id}/recheck", response=RectificationOut, auth=staff_auth)
def rectification_recheck_api(
    request: HttpRequest, rectification_id: uuid.UUID, payload: RecheckIn
) -> RectificationOut:
    user = request_user(request)
    rectification_recheck(
        rectification=_rectification(user, rectification_id),
        actor=user,
        passed=payload.passed,
        note=payload.note,
    )
    return _answer(user, rectification_id)


@router.post("/rectifications/{rectification_id}/appeal", response={201: RectificationOut}, auth=staff_auth)
def rectification_appeal_api(
    request: HttpRequest, rectification_id: uuid.UUID, payload: AppealIn
) -> Status[RectificationOut]:
    user = request_user(request)
    rectification_appeal(
        rectification=_rectification(user, rectification_id),
        actor=user,
        ground=payload.ground,
        reason=payload.reason,
    )
    return Status(201, _answer(user, rectification_id))


@router.post("/rectifications/{rectification_id}/decide-appeal", response=RectificationOut, auth=staff_auth)
def appeal_decide_api(
    request: HttpRequest, rectification_id: uuid.UUID, payload: DecideIn
) -> RectificationOut:
    user = request_user(request)
    rectification = _rectification(user, rectification_id)
    appeal = Appeal.objects.filter(rectification=rectification).select_related("rectification__hall").first()
    if appeal is None:
        raise NotFound(_("No appeal has been filed."), code="appeal_not_found")
    appeal_decide(appeal=appeal, actor=user, upheld=payload.upheld, reason=payload.reason)
    return _answer(user, rectification_id)


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


@router.get(
    "/halls/{hall}/honours",
    response=HonoursOut,
    summary="The hall's current service stars and red-flag windows",
)
def hall_honours_api(request: HttpRequest, hall: str) -> HonoursOut:
    the_hall = hall_or_404(hall)
    honours = current_honours(hall=the_hall)
    return HonoursOut(
        hall=the_hall.code,
        month=honours[0].month.strftime("%Y-%m") if honours else None,
        honours=[
            HonourOut(
                kind=honour.kind,
                month=honour.month.strftime("%Y-%m"),
                rank=honour.rank,
                clerk=str(honour.clerk) if honour.clerk else None,
                staff_number=honour.clerk.username if honour.clerk else None,
                window=honour.window.number if honour.window else None,
                window_name=honour.window.name if honour.window else None,
                citation=honour.citation,
                figures=honour.figures,
            )
            for honour in honours
        ],
    )

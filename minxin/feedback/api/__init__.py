"""The feedback API (one ninja Router, mounted under /api/v1/ by minxin.api): its operations, here so
that their operation ids stay `minxin_feedback_api_…`; the request and answer shapes are in `schemas`."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.accounts.models import Citizen, Role, User
from minxin.cases.models import Case
from minxin.core.audit import client_ip
from minxin.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from minxin.feedback.api.schemas import (
    AppealIn,
    DecideIn,
    HonourOut,
    HonoursOut,
    MeasuresIn,
    RatingIn,
    RatingOut,
    RecheckIn,
    RectificationOut,
    ReplyIn,
    SummaryOut,
    SummaryQuery,
    VerifyIn,
    figures_fields,
)
from minxin.feedback.models import Appeal, Rectification
from minxin.feedback.selectors import current_honours, hall_summary, rectifications_for
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
from minxin.orgs.selectors import hall_for, hall_get, staff_may_act_in_hall
from minxin.queueing.api import optional_auth
from minxin.queueing.models import Ticket

router = Router(tags=["feedback"])
DEVICE_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER]


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


@router.get(
    "/halls/{hall}/ratings/summary",
    response=SummaryOut,
    auth=staff_auth,
    by_alias=True,
    summary="A hall's rating figures for a period, by window and by clerk (managers, the city office)",
)
def rating_summary_api(request: HttpRequest, hall: str, query: Query[SummaryQuery]) -> SummaryOut:
    the_hall = hall_for(
        code=hall,
        user=request_user(request),
        roles=[Role.HALL_MANAGER, Role.CITY_OFFICE],
        refusal=_("Only the hall's managers and the city office see its figures."),
    )
    if query.date_to < query.date_from or (query.date_to - query.date_from).days > 366:
        raise InvalidInput(_("Choose a period of at most a year, from before to."), details={"field": "to"})
    summary = hall_summary(hall=the_hall, date_from=query.date_from, date_to=query.date_to)
    return SummaryOut.model_validate(
        {
            "hall": the_hall.code,
            "from": query.date_from,
            "to": query.date_to,
            **figures_fields(summary.total),
            "by_window": [
                {"window": window.number, "name": window.name, **figures_fields(row)}
                for window, row in summary.windows
            ],
            "by_clerk": [
                {"clerk": clerk.username, "name": str(clerk), **figures_fields(row)}
                for clerk, row in summary.clerks
            ],
        }
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
    the_hall = hall_for(code=hall) if hall else None
    rows = rectifications_for(user=request_user(request), hall=the_hall, status=status)
    limit = max(1, min(limit, 200))
    offset = max(0, min(offset, MAX_OFFSET))  # past any list, and within the database's integers
    return [RectificationOut.of(row) for row in rows[offset : offset + limit]]


def _rectification(user: User, public_id: uuid.UUID) -> Rectification:
    row = rectifications_for(user=user).filter(public_id=public_id).first()
    if row is None:
        raise NotFound(_("No such bad review."), code="rectification_not_found")
    return row


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


@router.get(
    "/halls/{hall}/honours",
    response=HonoursOut,
    summary="The hall's current service stars and red-flag windows",
)
def hall_honours_api(request: HttpRequest, hall: str) -> HonoursOut:
    the_hall = hall_for(code=hall)
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

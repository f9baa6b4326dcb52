"""The queue's API (one ninja `router`, mounted under /api/v1/ by minxin.api): its operations, the
hottest of which minxin/core/hotpath.py also serves as they are (queueing/hotpath.py names them), and
their bodies (`ticket_issue_for`, `call_next_for`, `clerk_step_for`). The wire shapes are in
`queueing.schemas`."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status
from ninja.security import HttpBearer

from minxin.accounts.api_auth import BearerToken, CitizenSession, StaffSession, request_user, staff_auth
from minxin.accounts.models import Citizen, Role, User
from minxin.accounts.personal import keyed_hash, normalize_phone
from minxin.catalog.models import Window
from minxin.catalog.selectors import window_of_hall
from minxin.core import clock
from minxin.core.audit import client_ip
from minxin.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from minxin.core.throttle import throttle_hit
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for, staff_may_act_in_hall
from minxin.queueing import reports
from minxin.queueing.forecasting import service_line_estimates
from minxin.queueing.models import Priority, Service, Ticket
from minxin.queueing.schemas import (
    CheckInIn,
    QueueOut,
    QueueReportOut,
    ReportRangeIn,
    TransferIn,
)
from minxin.queueing.schemas import (
    TicketIn as TicketIn,
)
from minxin.queueing.schemas import (
    TicketOut as TicketOut,
)
from minxin.queueing.schemas import (
    ticket_page_path as ticket_page_path,
)
from minxin.queueing.selectors import recent_calls
from minxin.queueing.services import (
    citizen_ticket_issue,
    ensure_clerk_at_window,
    hall_check_in_code_valid,
    ticket_call_next,
    ticket_check_in,
    ticket_finish,
    ticket_for_clerk,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_rejoin,
    ticket_start,
    ticket_transfer,
)

router = Router(tags=["queue"])


class Anonymous(HttpBearer):
    """Lets a request without credentials through (citizens); a request with a bearer token must be
    valid. Another kind of Authorization header (a proxy's Basic, say) carries no credentials of ours,
    so it is let through as anonymous too."""

    def __call__(self, request: HttpRequest) -> object:
        if request.headers.get("Authorization", "").lower().startswith("bearer"):
            return None
        return True

    def authenticate(self, request: HttpRequest, token: str) -> object:
        return None


optional_auth = [BearerToken(), StaffSession(), CitizenSession(), Anonymous()]


@router.post(
    "/halls/{hall}/tickets",
    response={201: TicketOut, 200: TicketOut},
    auth=optional_auth,
    summary="Take a number (Idempotency-Key supported)",
)
def ticket_issue_api(
    request: HttpRequest,
    hall: str,
    payload: TicketIn,
    idempotency_key: str = Header(  # type: ignore[type-arg]
        "",
        alias="Idempotency-Key",
        description="Up to 64 characters chosen by the caller; a retry with the same key in this hall "
        "returns the ticket the first request made (200) instead of a second one (201).",
    ),
) -> Status[TicketOut]:
    auth = getattr(request, "auth", None)
    status, out = ticket_issue_for(
        hall=hall, payload=payload, auth=auth, idempotency_key=idempotency_key, ip=client_ip(request)
    )
    return Status(status, out)


IDEMPOTENCY_KEY_MAX = 64


def _integration_may_issue(*, user: User, hall: Hall, phone: str | None) -> None:
    """Besides the hall's own kiosks and staff, only a token granted the hall's integration role (a
    partner system such as a WeChat mini-program's server) takes numbers there, within its rate
    limits per token and per phone. Any other token (a lookout's, an assessor's) is refused: it could
    otherwise tie up phones in every hall."""
    if not staff_may_act_in_hall(user=user, hall=hall, roles=[Role.INTEGRATION]):
        raise Forbidden(_("This token may not take numbers in this hall."), code="out_of_scope")
    throttle_hit(
        scope="issue-token",
        subject=str(user.pk),
        limit=settings.INTEGRATION_NUMBERS_PER_MINUTE,
        period_seconds=60,
    )
    if phone:
        throttle_hit(
            scope="issue-phone",
            subject=keyed_hash(normalize_phone(phone) or phone, purpose="throttle"),
            limit=settings.INTEGRATION_NUMBERS_PER_PHONE_PER_DAY,
            period_seconds=86_400,
        )


def ticket_issue_for(
    *, hall: str, payload: TicketIn, auth: object, idempotency_key: str, ip: str | None
) -> tuple[int, TicketOut]:
    """POST /halls/{hall}/tickets for a caller authenticated as `auth` (a staff User, a Citizen or
    None): (201, the new ticket) or (200, the one an earlier request with the same key made): the body of
    the django-ninja view, which the hot path (minxin/core/hotpath.py) runs as Django does."""
    the_hall = hall_for(code=hall)
    user = auth if isinstance(auth, User) else None
    citizen = auth if isinstance(auth, Citizen) else None
    staff = user is not None and staff_may_act_in_hall(
        user=user, hall=the_hall, roles=[Role.WINDOW_CLERK, Role.HALL_MANAGER]
    )
    if payload.channel in ("kiosk", "counter") and not staff:
        raise Forbidden(
            _("Kiosks and counters need a device or staff sign-in for this hall."), code="out_of_scope"
        )
    if payload.channel == "api" and user is None:
        raise Forbidden(_("The api channel needs an API token."), code="out_of_scope")
    if user is not None and not staff:
        _integration_may_issue(user=user, hall=the_hall, phone=payload.phone)
    if payload.priority and not staff:
        raise Forbidden(_("Only staff may give priority."), code="priority_staff_only")
    if payload.channel in ("web", "app") and user is None and citizen is None:
        raise NotAuthenticated(
            _("Sign in with your phone first: a remote number is tied to a verified phone."),
            code="citizen_sign_in_required",
        )
    key = idempotency_key
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidInput(
            _("The Idempotency-Key is longer than 64 characters."), details={"field": "Idempotency-Key"}
        )
    if citizen is not None and user is None and payload.channel in ("web", "app"):
        issued = citizen_ticket_issue(
            hall=the_hall,
            service_code=payload.service,
            citizen=citizen,
            channel=payload.channel,
            ip=ip,
            idempotency_key=key,
        )
    else:
        issued = ticket_issue(
            hall=the_hall,
            service_code=payload.service,
            channel=payload.channel,
            phone=payload.phone,
            priority=payload.priority or Priority.NORMAL,
            priority_reason=payload.priority_reason,
            idempotency_key=key,
            actor=user,
        )
    return (200 if issued.replayed else 201), TicketOut.of_issued(issued)


def _ticket(ticket_id: uuid.UUID) -> Ticket:
    # get(), not first(): first() adds ORDER BY id, and PostgreSQL may then walk the primary key
    # instead of looking up the unique public_id.
    try:
        return Ticket.objects.select_related("hall", "queue", "service", "window").get(public_id=ticket_id)
    except Ticket.DoesNotExist:
        raise NotFound(_("No such number."), code="ticket_not_found") from None


@router.get(
    "/tickets/{ticket_id}", response=TicketOut, summary="A ticket: place in line, estimate, last call"
)
def ticket_get_api(request: HttpRequest, ticket_id: uuid.UUID) -> TicketOut:
    return TicketOut.of(_ticket(ticket_id))


@router.post(
    "/tickets/{ticket_id}/check-in",
    response=TicketOut,
    auth=optional_auth,
    summary="Check in a remote number at the hall (staff, or with the hall's current check-in code)",
)
def ticket_check_in_api(
    request: HttpRequest, ticket_id: uuid.UUID, payload: CheckInIn | None = None
) -> TicketOut:
    ticket = _ticket(ticket_id)
    auth = getattr(request, "auth", None)
    staff = isinstance(auth, User) and staff_may_act_in_hall(
        user=auth, hall=ticket.hall, roles=[Role.WINDOW_CLERK, Role.HALL_MANAGER]
    )
    if not staff and not hall_check_in_code_valid(ticket.hall, payload.code if payload else ""):
        raise Forbidden(
            _("Check in at the hall: scan its check-in code or use the kiosk."), code="check_in_code_invalid"
        )
    return TicketOut.of(ticket_check_in(ticket=ticket, actor=auth if isinstance(auth, User) else None))


def _window(hall: Hall, number: str, user: User) -> Window:
    window = window_of_hall(hall=hall, number=number)
    if window is None:
        raise NotFound(_("No window %(number)s in this hall.") % {"number": number}, code="window_not_found")
    ensure_clerk_at_window(user=user, window=window)
    return window


@router.post(
    "/halls/{hall}/windows/{window}/call-next",
    response={200: TicketOut, 204: None},
    auth=staff_auth,
    summary="Call the next number for a window (204 when nobody waits)",
)
def call_next_api(
    request: HttpRequest, hall: str, window: str, finish_current: bool = False
) -> Status[TicketOut | None]:
    """`finish_current=true` first finishes the number at the window, in the same transaction: one
    request per citizen served. Without it, a window still holding a number is refused (409)."""
    out = call_next_for(hall=hall, window=window, user=request_user(request), finish_current=finish_current)
    return Status(204, None) if out is None else Status(200, out)


def call_next_for(*, hall: str, window: str, user: User, finish_current: bool = False) -> TicketOut | None:
    """POST /halls/{hall}/windows/{window}/call-next for `user`: the ticket called, or None when
    nobody waits for the window (shared like `ticket_issue_for`)."""
    the_window = _window(hall_for(code=hall), window, user)
    ticket = ticket_call_next(window=the_window, clerk=user, finish_current=finish_current)
    if ticket is None:
        return None
    return TicketOut.of(ticket, ahead=0, ahead_reserved=0, latest_call=ticket.number)


CLERK_STEPS: dict[str, Callable[[Ticket, User], Ticket]] = {
    "recall": lambda ticket, clerk: ticket_recall(ticket=ticket, clerk=clerk),
    "no-show": lambda ticket, clerk: ticket_no_show(ticket=ticket, clerk=clerk),
    "start": lambda ticket, clerk: ticket_start(ticket=ticket, clerk=clerk),
    "finish": lambda ticket, clerk: ticket_finish(ticket=ticket, clerk=clerk),
}


def clerk_step_for(step: str, *, ticket_id: str, user: User) -> TicketOut:
    """POST /tickets/{ticket_id}/{step} for a clerk, `step` one of CLERK_STEPS (shared like
    `ticket_issue_for`)."""
    return TicketOut.of(CLERK_STEPS[step](ticket_for_clerk(user=user, public_id=ticket_id), user))


@router.post(
    "/tickets/{ticket_id}/recall", response=TicketOut, auth=staff_auth, summary="Call the number again"
)
def recall_api(request: HttpRequest, ticket_id: uuid.UUID) -> TicketOut:
    return clerk_step_for("recall", ticket_id=str(ticket_id), user=request_user(request))


@router.post(
    "/tickets/{ticket_id}/no-show", response=TicketOut, auth=staff_auth, summary="Mark as not come (过号)"
)
def no_show_api(request: HttpRequest, ticket_id: uuid.UUID) -> TicketOut:
    return clerk_step_for("no-show", ticket_id=str(ticket_id), user=request_user(request))


@router.post(
    "/tickets/{ticket_id}/start",
    response=TicketOut,
    auth=staff_auth,
    summary="The citizen reached the window",
)
def start_api(request: HttpRequest, ticket_id: uuid.UUID) -> TicketOut:
    return clerk_step_for("start", ticket_id=str(ticket_id), user=request_user(request))


@router.post(
    "/tickets/{ticket_id}/rejoin",
    response=TicketOut,
    auth=staff_auth,
    summary="Put a missed number back in line (within the hall's rejoin window)",
)
def rejoin_api(request: HttpRequest, ticket_id: uuid.UUID) -> TicketOut:
    user = request_user(request)
    return TicketOut.of(ticket_rejoin(ticket=ticket_for_clerk(user=user, public_id=str(ticket_id))))


@router.post("/tickets/{ticket_id}/finish", response=TicketOut, auth=staff_auth, summary="Service done")
def finish_api(request: HttpRequest, ticket_id: uuid.UUID) -> TicketOut:
    return clerk_step_for("finish", ticket_id=str(ticket_id), user=request_user(request))


@router.post(
    "/tickets/{ticket_id}/transfer",
    response=TicketOut,
    auth=staff_auth,
    summary="Send on to another service or window",
)
def transfer_api(request: HttpRequest, ticket_id: uuid.UUID, payload: TransferIn) -> TicketOut:
    user = request_user(request)
    ticket = ticket_for_clerk(user=user, public_id=str(ticket_id))
    to_service = to_window = None
    if payload.service:
        to_service = Service.objects.filter(hall=ticket.hall, code=payload.service, is_active=True).first()
        if to_service is None:
            raise InvalidInput(_("No such service in this hall."), details={"field": "service"})
    if payload.window:
        to_window = Window.objects.filter(hall=ticket.hall, number=payload.window, is_active=True).first()
        if to_window is None:
            raise InvalidInput(_("No such window in this hall."), details={"field": "window"})
    moved = ticket_transfer(
        ticket=ticket,
        clerk=user,
        to_service=to_service,
        to_window=to_window,
        raise_priority=payload.raise_priority,
    )
    return TicketOut.of(moved)


@router.get(
    "/halls/{hall}/queue", response=QueueOut, summary="Waiting per service with estimates; recent calls"
)
def queue_api(request: HttpRequest, hall: str) -> QueueOut:
    the_hall = hall_for(code=hall)
    rows = service_line_estimates(hall=the_hall)
    return QueueOut.of(the_hall, rows, recent_calls(hall=the_hall))


@router.get(
    "/halls/{hall}/queue-report",
    response=QueueReportOut,
    auth=staff_auth,
    summary="Numbers, outcomes, waits and service times of up to 92 days (managers, city office)",
)
def queue_report_api(request: HttpRequest, hall: str, days: Query[ReportRangeIn]) -> QueueReportOut:
    """What the hall's queue report page shows, for other systems: waits run from taking the number
    (or checking in, for a remote number) to its first call, service times from the start of service
    (or the call) to its finish, in minutes."""
    the_hall = hall_for(
        code=hall,
        user=request_user(request),
        roles=reports.REPORT_ROLES,
        refusal=_("Only the hall's managers and the city office may see its queue report."),
    )
    first, last = reports.parse_range(days.first, days.last, today=clock.local_today(the_hall.time_zone))
    report = reports.queue_report(hall=the_hall, start=first, end=last)
    return QueueReportOut.of(the_hall, first, last, report)

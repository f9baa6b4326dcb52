"""The page the hall's check-in QR code opens (issue 20, point 3).

Most people scan the code with WeChat, whose browser does not carry the session in which they took
their number. So the page finds the numbers both ways: those this browser took, and, once the citizen
signs in with a code sent to their phone (right here, through the accounts app's OTP services), those
taken with that phone for this hall today. After sign-in the page comes back to the check-in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from minxin.accounts import personal
from minxin.accounts.models import Citizen
from minxin.accounts.services import citizen_consent_record, citizen_of_session, otp_request, otp_verify
from minxin.core import clock
from minxin.core.audit import client_ip
from minxin.core.errors import DomainError, Throttled
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for
from minxin.queueing.models import IN_LINE, Ticket, TicketStatus
from minxin.queueing.services import hall_check_in_code_valid, ticket_check_in

SESSION_TICKETS = "queue_tickets"  # views.SESSION_TICKETS: the numbers this browser took


def _session_tickets(request: HttpRequest) -> list[str]:
    return [str(t) for t in request.session.get(SESSION_TICKETS, [])]


def _tickets(request: HttpRequest, hall: Hall, citizen: Citizen | None) -> list[Ticket]:
    """This hall's numbers still in line that this browser took, or the signed-in citizen's phone took
    today."""
    mine = Q(public_id__in=_session_tickets(request))
    if citizen is not None:
        mine |= Q(phone_hash=citizen.phone_hash, service_date=clock.local_today(hall.time_zone))
    return list(
        Ticket.objects.filter(mine, hall=hall, status__in=IN_LINE)
        .select_related("service")
        .order_by("issued_at")
    )


def _refusal(failure: DomainError) -> str:
    """A refusal's message; a rate limit also says how long to wait."""
    wait = int(getattr(failure, "retry_after", 0) or 0)
    if not isinstance(failure, Throttled) or wait <= 0:
        return failure.message
    minutes = (wait + 59) // 60
    hint = ngettext("Try again in %(count)d minute.", "Try again in %(count)d minutes.", minutes)
    return f"{failure.message} {hint % {'count': minutes}}"


def _sign_in_step(request: HttpRequest, step: str, context: dict[str, Any]) -> Citizen | None:
    """The phone step sends a code (the page then asks for it); the code step signs the citizen in."""
    phone = request.POST.get("phone", "").strip()[:20]
    normalized = personal.normalize_phone(phone)
    try:
        if step == "phone":
            otp_request(phone=phone, ip=client_ip(request))
            context.update(code_step=True, phone=phone, phone_masked=personal.mask_phone(normalized or ""))
            return None
        citizen = otp_verify(phone=phone, code=request.POST.get("code", "").strip()[:6])
    except DomainError as failure:
        context["error"] = _refusal(failure)
        if step == "code" and normalized:
            context.update(code_step=True, phone=phone, phone_masked=personal.mask_phone(normalized))
        return None
    request.session.cycle_key()
    request.session["citizen_id"] = citizen.pk
    # Signing in on this page agrees to the privacy policy and terms it shows (as the sign-in page does).
    citizen_consent_record(citizen=citizen, version=settings.CONSENT_VERSION)
    return citizen


@require_http_methods(["GET", "POST"])
def hall_check_in(request: HttpRequest, code: str) -> HttpResponse:
    """The citizen's reserved numbers for this hall, checked in with one tap. The QR carries a code
    renewed every minute and valid for ten, so the page works for someone standing in the hall, not for
    a photo of the code sent home; sign-in by phone code is offered only then."""
    hall = hall_for(code=code)
    t = (request.POST.get("t") or request.GET.get("t", ""))[:64]
    code_ok = hall_check_in_code_valid(hall, t)
    here = f"{reverse('queueing:hall-check-in', args=[hall.code])}?{urlencode({'t': t})}"
    citizen = citizen_of_session(request.session)
    step = request.POST.get("step", "check_in")
    context: dict[str, Any] = {"hall": hall, "code_ok": code_ok, "t": t, "checked": [], "error": ""}
    signing_in = request.method == "POST" and code_ok and step in ("phone", "code") and citizen is None
    if signing_in and _sign_in_step(request, step, context) is not None:
        return HttpResponseRedirect(here)  # signed in: back to the check-in, now with their numbers
    tickets = _tickets(request, hall, citizen)
    if request.method == "POST" and code_ok and step == "check_in":
        for ticket in tickets:
            if ticket.status == TicketStatus.RESERVED:
                try:
                    context["checked"].append(ticket_check_in(ticket=ticket))
                except DomainError:
                    continue
        tickets = list(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).select_related("service"))
    context.update(tickets=tickets, citizen=citizen, reserved=any(t.status == "reserved" for t in tickets))
    status = 200 if code_ok else 403
    if context["error"]:
        status = 422
    return render(request, "queueing/check_in.html", context, status=status)

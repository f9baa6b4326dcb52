"""The self-service kiosk of a hall: take a number, print it, check in a remote number.

A kiosk is a device signed in as a staff account of the hall (window clerk or hall manager); citizens
never sign in. Priority (green channel) is never offered here: staff give it at the desk.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from minxin.accounts import personal
from minxin.accounts.models import Role, User
from minxin.catalog.models import ItemVersion, Material
from minxin.catalog.selectors import current_versions
from minxin.core import clock
from minxin.core.audit import audit_record, client_ip
from minxin.core.errors import DomainError, Throttled
from minxin.core.throttle import throttle_hit
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for, hall_is_open
from minxin.queueing.estimates import Estimate
from minxin.queueing.forecasting import LineEstimate, service_line_estimates, ticket_estimate
from minxin.queueing.kiosk_guide import KioskGuide, kiosk_guide
from minxin.queueing.models import Channel, Service, Ticket, TicketStatus
from minxin.queueing.selectors import TicketWording, queue_last_called, ticket_ahead, ticket_wording
from minxin.queueing.services import hall_check_in_code, ticket_check_in, ticket_issue

KIOSK_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER]
CHECK_IN_LIMIT = 30
CHECK_IN_PERIOD_SECONDS = 600
TICKET_RETURN_SECONDS = 15
NOTICE_RETURN_SECONDS = 20
_NUMBER = re.compile(r"([A-Z]{1,3})0*(\d{1,6})")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,32}")


def estimate_band(estimate: Estimate | None) -> str:
    """The estimate as a range, "about 17 min (12–22)", never a bare number (DOMAIN.md §1); "" if none."""
    if estimate is None:
        return ""
    if estimate.high == 0:
        return _("little or no wait")
    band = _("about %(minutes)s min (%(low)s–%(high)s)") % {
        "minutes": estimate.minutes,
        "low": estimate.low,
        "high": estimate.high,
    }
    return band.replace("–", "\u2060–\u2060")  # word joiners: the range never breaks at its dash


def wait_phrase(wording: TicketWording) -> str:
    """The wait as the kiosk words it, decided by `ticket_wording` (the rule the ticket page and the
    status page follow): never "no wait" with people ahead, never a band with nobody ahead."""
    if wording.wait == "none":
        return _("No wait")
    if wording.wait == "soon":
        return _("A few minutes")
    if wording.wait == "band":
        return estimate_band(Estimate(minutes=wording.minutes, low=wording.low, high=wording.high))
    return ""


def new_number_wording(row: LineEstimate) -> TicketWording:
    """What a number taken now for the row's service faces: the whole queue ahead (present and remote,
    as its estimate counts them) and that estimate, worded by the one rule."""
    return ticket_wording(
        status=TicketStatus.WAITING, ahead=row.queue_waiting + row.queue_reserved, estimate=row.estimate
    )


@dataclass(frozen=True, slots=True)
class KioskService:
    service: Service
    in_line: int
    band: str
    nonce: str
    guides: list[KioskGuide] = field(default_factory=list)
    wording: TicketWording | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str  # "error" or "success"
    title: str
    text: str = ""
    number: str = ""


def _hall_for_kiosk(request: HttpRequest, code: str) -> Hall:
    return hall_for(
        code=code,
        user=request.user,
        roles=KIOSK_ROLES,
        refusal=_("This device may not serve as a kiosk in this hall."),
    )


def kiosk_services(hall: Hall) -> list[KioskService]:
    """The hall's active services in order, each with how many are in line in its queue (a new ticket
    waits behind the whole queue, remote numbers included), the estimate band and the item guides."""
    rows = service_line_estimates(hall=hall)
    lines = [row.line for row in rows]
    wordings = {row.line.service.pk: new_number_wording(row) for row in rows}
    services = [line.service for line in lines]
    prefetch_related_objects(services, "items")
    item_ids = {item.pk for service in services for item in service.items.all()}
    versions: dict[int, ItemVersion] = {}
    if item_ids:
        materials = Prefetch("materials", queryset=Material.objects.order_by("position", "id"))
        for version in current_versions().filter(item_id__in=item_ids).prefetch_related(materials):
            versions[version.item_id] = version
    return [
        KioskService(
            service=line.service,
            in_line=wordings[line.service.pk].ahead,
            band=wait_phrase(wordings[line.service.pk]),
            nonce=secrets.token_urlsafe(16),
            guides=[
                kiosk_guide(version)
                for version in sorted(
                    (versions[item.pk] for item in line.service.items.all() if item.pk in versions),
                    key=lambda version: version.name,
                )
            ],
            wording=wordings[line.service.pk],
        )
        for line in lines
    ]


def _render_kiosk(
    request: HttpRequest,
    hall: Hall,
    *,
    status: int = 200,
    notice: Notice | None = None,
    check_in: dict[str, str] | None = None,
) -> HttpResponse:
    services = kiosk_services(hall)
    context: dict[str, Any] = {
        "hall": hall,
        "services": services,
        "open_now": hall_is_open(hall=hall),
        "now_text": clock.local_now(hall.time_zone).strftime("%H:%M"),
        "notice": notice,
        "check_in": check_in or {"number": "", "phone_last4": ""},
        "prefixes": sorted({entry.service.queue.prefix for entry in services}),
        "return_seconds": NOTICE_RETURN_SECONDS,
        "idle_seconds": settings.KIOSK_IDLE_SECONDS,
        "check_in_qr": mark_safe(check_in_qr_svg(request, hall)),  # noqa: S308 - SVG we generated
    }
    response = render(request, "queueing/kiosk.html", context, status=status)
    response["Cache-Control"] = "no-store"  # a restored page would resend an old number's idempotency key
    return response


@never_cache
@require_GET
@login_required
def kiosk_page(request: HttpRequest, code: str) -> HttpResponse:
    return _render_kiosk(request, _hall_for_kiosk(request, code))


def _error_status(error: DomainError) -> int:
    return error.status if error.status in (409, 422, 429) else 422


@require_POST
@login_required
def kiosk_take(request: HttpRequest, code: str) -> HttpResponse:
    """Take a number for the tapped service and go to the printable ticket. The form carries a nonce
    made when the page was drawn, used as the Idempotency-Key: a double tap prints one number, not two."""
    hall = _hall_for_kiosk(request, code)
    user = request.user
    assert isinstance(user, User)
    service_code = request.POST.get("service", "")[:32]
    nonce = request.POST.get("nonce", "")
    key = f"kiosk:{user.pk}:{nonce}" if _NONCE.fullmatch(nonce) else ""
    raw_card = request.POST.get("id_card", "").strip()[:32]
    id_number = personal.normalize_id_number(raw_card) if raw_card else None
    if raw_card and id_number is None:
        notice = Notice(
            "error", _("The ID card could not be read."), _("Please read it again, or ask at the desk.")
        )
        return _render_kiosk(request, hall, status=422, notice=notice)
    try:
        issued = ticket_issue(
            hall=hall, service_code=service_code, channel=Channel.KIOSK, idempotency_key=key, actor=user
        )
    except DomainError as error:
        notice = Notice("error", _("No number was issued."), error.message)
        return _render_kiosk(request, hall, status=_error_status(error), notice=notice)
    if id_number is not None and not issued.replayed:
        _record_id_card(request, user, issued.ticket, id_number)
    return HttpResponseRedirect(reverse("queueing:kiosk-ticket", args=[hall.code, issued.ticket.public_id]))


def _record_id_card(request: HttpRequest, user: User, ticket: Ticket, id_number: str) -> None:
    """A number taken after an ID card was read (a keyboard-wedge reader, docs/kiosk.md): the audit log
    keeps which card took it, as a keyed hash and the masked number, never the number itself."""
    audit_record(
        actor=user,
        action="queueing.kiosk_id_card",
        target=ticket,
        details={
            "id_hash": personal.keyed_hash(id_number, purpose="id_number"),
            "id_masked": personal.mask_id_number(id_number),
        },
        request=request,
    )


def _ticket_wording(ticket: Ticket) -> TicketWording:
    """The ticket's own wording (`ticket_wording`), as its page says it."""
    ahead, ahead_reserved = ticket_ahead(ticket)
    estimate = ticket_estimate(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved)
    return ticket_wording(status=ticket.status, ahead=ahead, estimate=estimate)


def check_in_qr_svg(request: HttpRequest, hall: Hall) -> str:
    """The hall's check-in QR with a fresh code (valid ten minutes; the kiosk reloads every minute)."""
    url = request.build_absolute_uri(reverse("queueing:hall-check-in", args=[hall.code]))
    url += "?" + urlencode({"t": hall_check_in_code(hall)})
    return ticket_qr_svg(url, label=_("Check-in code of %(hall)s") % {"hall": hall.name})


def ticket_qr_svg(url: str, *, label: str) -> str:
    """An inline SVG QR code for `url`, sized by CSS (the library's width/height in mm are dropped)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = str(image.to_string(encoding="unicode"))
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(?:width|height)="[^"]*"', "", head)
    return f'{head} role="img" aria-label="{_escape_attr(label)}" class="ticket-qr">{rest}'


def _escape_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


@never_cache
@require_GET
@login_required
def kiosk_ticket(request: HttpRequest, code: str, ticket_id: str) -> HttpResponse:
    """The printable 80 mm ticket; it prints itself on load (unless ?noprint=1) and returns to the kiosk."""
    hall = _hall_for_kiosk(request, code)
    ticket = get_object_or_404(
        Ticket.objects.select_related("hall", "service", "queue", "window"), public_id=ticket_id, hall=hall
    )
    wording = _ticket_wording(ticket)
    status_url = request.build_absolute_uri(reverse("queueing:ticket", args=[ticket.public_id]))
    context = {
        "hall": hall,
        "ticket": ticket,
        "wording": wording,
        "wait": wait_phrase(wording),
        "issued_text": ticket.issued_at.astimezone(ZoneInfo(hall.time_zone)).strftime("%Y-%m-%d %H:%M"),
        "qr_svg": ticket_qr_svg(status_url, label=_("Scan to follow your number")),
        "last_called": queue_last_called(queue_id=ticket.queue_id, service_date=ticket.service_date) or "",
        "print": request.GET.get("noprint") != "1",
        "return_seconds": TICKET_RETURN_SECONDS,
    }
    return render(request, "queueing/kiosk_ticket.html", context)


def normalize_number(raw: str) -> str | None:
    """The number as printed: "a12" and " A012 " give "A012" (at least three digits); None if not one."""
    match = _NUMBER.fullmatch(re.sub(r"\s+", "", raw).upper())
    if match is None:
        return None
    return f"{match.group(1)}{int(match.group(2)):03d}"


@require_POST
@login_required
def kiosk_check_in(request: HttpRequest, code: str) -> HttpResponse:
    """A citizen with a remote number arrived: find today's number by its text and the last four digits
    of the phone it was taken with, and check it in. Rate-limited per hall and client, so that guessing
    pairs is slow."""
    hall = _hall_for_kiosk(request, code)
    user = request.user
    assert isinstance(user, User)
    raw_number = request.POST.get("number", "")[:16]
    last4 = request.POST.get("phone_last4", "").strip()[:8]
    typed = {"number": raw_number.strip(), "phone_last4": ""}
    try:
        throttle_hit(
            scope="kiosk-check-in",
            subject=f"{hall.code}:{client_ip(request) or 'unknown'}",
            limit=CHECK_IN_LIMIT,
            period_seconds=CHECK_IN_PERIOD_SECONDS,
        )
    except Throttled as error:
        notice = Notice("error", _("Too many attempts."), _("Please ask at the service desk."))
        response = _render_kiosk(request, hall, status=429, notice=notice, check_in=typed)
        response["Retry-After"] = str(error.retry_after)
        return response
    number = normalize_number(raw_number)
    if number is None or not re.fullmatch(r"\d{4}", last4):
        notice = Notice(
            "error",
            _("Please check what you typed."),
            _("Enter the number as printed (for example A012) and the last 4 digits of your phone."),
        )
        return _render_kiosk(request, hall, status=422, notice=notice, check_in=typed)
    ticket = (
        Ticket.objects.select_related("hall", "service", "queue")
        .filter(
            hall=hall,
            service_date=clock.local_today(hall.time_zone),
            number=number,
            phone_masked__endswith=last4,
        )
        .exclude(phone_masked="")
        .first()
    )
    if ticket is None:
        notice = Notice(
            "error",
            _("No remote number matches."),
            _("Check the number and the last 4 digits of the phone you took it with, or ask at the desk."),
        )
        return _render_kiosk(request, hall, status=422, notice=notice, check_in=typed)
    try:
        ticket = ticket_check_in(ticket=ticket, actor=user)
    except DomainError as error:
        notice = Notice("error", _("This number cannot be checked in."), error.message)
        return _render_kiosk(request, hall, status=_error_status(error), notice=notice, check_in=typed)
    notice = Notice(
        "success",
        _("You are checked in. Please wait for your call."),
        _checked_in_text(_ticket_wording(ticket)),
        ticket.number,
    )
    return _render_kiosk(request, hall, notice=notice)


def _checked_in_text(wording: TicketWording) -> str:
    """What the kiosk says after a check-in, by the one rule: "next" alone, or who is ahead and the wait."""
    if wording.headline == "next":
        return _("You are next. Please stay near the windows.")
    if wording.headline != "wait":
        return ""
    text = ngettext("%(count)s person ahead of you.", "%(count)s people ahead of you.", wording.ahead) % {
        "count": wording.ahead
    }
    wait = wait_phrase(wording)
    if wait:
        text = _("%(ahead)s Estimated wait: %(band)s") % {"ahead": text, "band": wait}
    return text

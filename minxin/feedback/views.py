"""Public pages: the signed rating link (QR on a ticket or case notice, SMS), a citizen's own services to
rate, the public disclosure of each hall and city (好差评公开) and the honour roll."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minxin.accounts.models import Citizen
from minxin.accounts.services import citizen_of_session
from minxin.cases.models import Case, CaseStatus
from minxin.core import clock
from minxin.core.audit import client_ip
from minxin.core.errors import DomainError
from minxin.feedback.links import LinkTarget, case_link_token, link_target, ticket_link_token
from minxin.feedback.models import (
    OFFLINE_INDICATORS,
    ONLINE_INDICATORS,
    Rating,
    RatingChannel,
    Rectification,
    Score,
)
from minxin.feedback.selectors import (
    disclosure_bad_reviews,
    honour_roll,
    month_bounds,
    rating_figures_map,
)
from minxin.feedback.services import (
    RatingInput,
    case_rate,
    rating_throttle,
    rectification_follow_up,
    ticket_rate,
)
from minxin.orgs.models import Hall, Region
from minxin.orgs.selectors import hall_for
from minxin.queueing.models import Ticket, TicketStatus

FACES = [
    (Score.VERY_SATISFIED, "😄"),
    (Score.SATISFIED, "🙂"),
    (Score.FAIRLY_SATISFIED, "😐"),
    (Score.DISSATISFIED, "🙁"),
    (Score.VERY_DISSATISFIED, "😠"),
]


def faces() -> list[dict[str, Any]]:
    return [{"score": int(score), "label": score.label, "face": face} for score, face in FACES]


def _subject(target: LinkTarget) -> Ticket | Case:
    if target.kind == "t":
        ticket = (
            Ticket.objects.select_related("hall__unit", "service", "window")
            .filter(public_id=target.public_id)
            .first()
        )
        if ticket is None:
            raise Http404(_("This link is not valid."))
        return ticket
    case = (
        Case.objects.select_related("hall__unit", "applicant", "item_version", "window", "department")
        .filter(public_id=target.public_id)
        .first()
    )
    if case is None:
        raise Http404(_("This link is not valid."))
    return case


def _existing(subject: Ticket | Case) -> Rating | None:
    if isinstance(subject, Ticket):
        return Rating.objects.filter(ticket=subject).first()
    return Rating.objects.filter(case=subject).first()


@require_http_methods(["GET", "POST"])
def rate_page(request: HttpRequest, token: str) -> HttpResponse:
    """Rate one ticket or case from its signed link; once rated, the page shows the rating and, for a bad
    one, how it is being handled, the reply, and asks how satisfied the citizen is with it."""
    target = link_target(token)
    if target is None:
        return render(request, "feedback/link_invalid.html", status=404)
    subject = _subject(target)
    via = request.GET.get("via") or request.POST.get("via") or ""
    channel = via if via in (RatingChannel.SMS, RatingChannel.WEB) else RatingChannel.QR
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "rate")
        try:
            if action == "follow-up":
                _follow_up(request, subject)
            else:
                _rate(request, subject, channel)
            return redirect(request.path + (f"?via={via}" if via else ""))
        except DomainError as failure:
            error, status = failure.message, (failure.status if failure.status in (409, 422, 429) else 422)
    rating = _existing(subject)
    rectification = Rectification.objects.filter(rating=rating).first() if rating else None
    is_ticket = isinstance(subject, Ticket)
    context = {
        "subject": subject,
        "is_ticket": is_ticket,
        "hall": subject.hall,
        "service_name": subject.service.name if isinstance(subject, Ticket) else subject.item_version.name,
        "rateable": subject.status == (TicketStatus.DONE if is_ticket else CaseStatus.COMPLETED),
        "rating": rating,
        "rectification": rectification,
        "faces": faces(),
        "indicators": [(i.value, i.label) for i in (OFFLINE_INDICATORS if is_ticket else ONLINE_INDICATORS)],
        "error": error,
        "via": via,
        "posted": request.POST if error else {},
    }
    return render(request, "feedback/rate.html", context, status=status)


def _rate(request: HttpRequest, subject: Ticket | Case, channel: str) -> Rating:
    raw = request.POST.get("score", "")
    given = RatingInput(
        score=int(raw) if raw.isdigit() else raw,
        channel=channel,
        indicators=request.POST.getlist("indicators")[:8],
        comment=request.POST.get("comment", "")[:1000],
    )
    citizen = citizen_of_session(request.session)
    if isinstance(subject, Ticket):
        rating_throttle(ip=client_ip(request), phone_hash=subject.phone_hash)
        return ticket_rate(ticket=subject, given=given, citizen=citizen)
    rating_throttle(ip=client_ip(request), phone_hash=subject.applicant.phone_hash)
    return case_rate(case=subject, given=given, citizen=citizen)


def _follow_up(request: HttpRequest, subject: Ticket | Case) -> None:
    rating = _existing(subject)
    rectification = Rectification.objects.filter(rating=rating).first() if rating else None
    if rectification is None:
        raise Http404(_("There is nothing to follow up."))
    rating_throttle(ip=client_ip(request))
    raw = request.POST.get("score", "")
    rectification_follow_up(rectification=rectification, score=int(raw) if raw.isdigit() else 0)


def my_ratings(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's services of the last 90 days (numbers served, cases completed), each with
    its rating or a link to rate it."""
    citizen = citizen_of_session(request.session)
    if citizen is None:
        return redirect(f"{reverse('accounts:citizen-login')}?next={reverse('feedback:my-ratings')}")
    since = clock.now() - dt.timedelta(days=90)
    tickets = list(
        Ticket.objects.filter(phone_hash=citizen.phone_hash, status=TicketStatus.DONE, finished_at__gte=since)
        .select_related("hall", "service", "window")
        .order_by("-finished_at")[:50]
    )
    cases = list(
        _citizen_cases(citizen)
        .filter(status=CaseStatus.COMPLETED, completed_at__gte=since)
        .select_related("hall", "item_version")
        .order_by("-completed_at")[:50]
    )
    rated_tickets = dict(Rating.objects.filter(ticket__in=tickets).values_list("ticket_id", "score"))
    rated_cases = dict(Rating.objects.filter(case__in=cases).values_list("case_id", "score"))
    rows = [
        {
            "kind": _("Number"),
            "label": ticket.number,
            "name": ticket.service.name,
            "hall": ticket.hall.name,
            "at": ticket.finished_at,
            "score": rated_tickets.get(ticket.pk),
            "url": reverse("feedback:rate", args=[ticket_link_token(ticket)]) + "?via=web",
        }
        for ticket in tickets
    ] + [
        {
            "kind": _("Case"),
            "label": case.number,
            "name": case.item_version.name,
            "hall": case.hall.name,
            "at": case.completed_at,
            "score": rated_cases.get(case.pk),
            "url": reverse("feedback:rate", args=[case_link_token(case)]) + "?via=web",
        }
        for case in cases
    ]
    rows.sort(key=lambda row: row["at"], reverse=True)
    labels = {int(score): score.label for score in Score}
    for row in rows:
        row["score_label"] = labels.get(row["score"], "") if row["score"] else ""
    return render(request, "feedback/my_ratings.html", {"rows": rows})


def _citizen_cases(citizen: Citizen) -> Any:
    return Case.objects.filter(Q(applicant__citizen=citizen) | Q(applicant__phone_hash=citizen.phone_hash))


def parse_month(raw: str) -> dt.date | None:
    """The first day of a month given as YYYY-MM, or None."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", raw.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _month(request: HttpRequest, zone: str) -> tuple[dt.date, dt.date]:
    today = clock.local_today(zone)
    chosen = parse_month(request.GET.get("month", "")) or today
    first, last = month_bounds(min(chosen, today))
    return first, min(last, today)


def hall_disclosure(request: HttpRequest, code: str) -> HttpResponse:
    """好差评公开 for one hall: the month's figures by window and the bad reviews, masked, with their
    status and the reply."""
    hall = hall_for(code=code)
    first, last = _month(request, hall.time_zone)
    scope: dict[str, Any] = {"date_from": first, "date_to": last, "hall_ids": [hall.pk]}
    total = rating_figures_map(by="all", **scope).get((None, None))
    windows = rating_figures_map(by="window", **scope)
    window_rows = [
        (window, windows[(window.pk, None)])
        for window in hall.windows.filter(pk__in=[key for key, _p in windows if key]).order_by("number")
    ]
    return render(
        request,
        "feedback/disclosure.html",
        {
            "hall": hall,
            "place": hall.name,
            "first": first,
            "last": last,
            "total": total,
            "groups": window_rows,
            "group_title": _("By window"),
            "bad_reviews": list(disclosure_bad_reviews(date_from=first, date_to=last, hall=hall)[:100]),
        },
    )


def city_disclosure(request: HttpRequest, code: str) -> HttpResponse:
    """好差评公开 for a city (or any region): the month's figures by hall and the bad reviews."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(_("No such region."))
    first, last = _month(request, "Asia/Shanghai")
    scope: dict[str, Any] = {"date_from": first, "date_to": last, "region": region}
    total = rating_figures_map(by="all", **scope).get((None, None))
    halls = rating_figures_map(by="hall", **scope)
    hall_rows = [
        (hall, halls[(hall.pk, None)])
        for hall in Hall.objects.filter(pk__in=[key for key, _p in halls if key]).order_by("name")
    ]
    return render(
        request,
        "feedback/disclosure.html",
        {
            "region": region,
            "place": region.name,
            "first": first,
            "last": last,
            "total": total,
            "groups": hall_rows,
            "group_title": _("By hall"),
            "bad_reviews": list(disclosure_bad_reviews(date_from=first, date_to=last, region=region)[:100]),
        },
    )


def honours_page(request: HttpRequest) -> HttpResponse:
    """The public honour roll: model workers and each hall's current stars and red-flag windows."""
    region = Region.objects.filter(code=request.GET.get("region", "")).first()
    return render(request, "feedback/honour_roll.html", {"region": region, **honour_roll(region=region)})

"""Pages: the public campaign (letter, candidates, map, ballot with inline phone check, receipt) and the
results; the officer's desk (campaigns, offline entry by keyboard, audit) is in views_staff.py."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from minxin.accounts.forms import CodeForm, PhoneForm
from minxin.accounts.services import citizen_of_session, otp_request, otp_verify
from minxin.core.audit import client_ip
from minxin.core.context_processors import HtmxHttpRequest
from minxin.core.errors import Conflict, DomainError
from minxin.voting import presenters, selectors, services, tally
from minxin.voting.models import Campaign, Channel
from minxin.voting.services.ballots import receipt_display

DEVICE_COOKIE = "mx_vdev"


def _public(campaign_id: uuid.UUID) -> Campaign:
    campaign = selectors.campaign_public_get(public_id=campaign_id)
    if campaign is None:
        raise Http404
    return campaign


def _receipt_key(campaign: Campaign) -> str:
    return f"voting_receipt:{campaign.pk}"


def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(request, "voting/campaign_list.html", {"campaigns": selectors.campaigns_public()[:100]})


def _campaign_context(request: HttpRequest, campaign: Campaign, **extra: Any) -> dict[str, Any]:
    candidates = selectors.candidates_of(campaign)
    colours = presenters.category_colours(candidates)
    groups: dict[str, list[Any]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.category, []).append(candidate)
    return {
        "campaign": campaign,
        "letter": presenters.letter_html(campaign.letter),
        "categories": [(name, colours[name], rows) for name, rows in groups.items()],
        "map_option": presenters.map_option(candidates),
        "rule_text": presenters.rule_text(campaign),
        "citizen": citizen_of_session(request.session),
        "receipt": request.session.get(_receipt_key(campaign)),
        "phone_form": PhoneForm(),
        "code_form": None,
        "verify_error": "",
        "vote_error": "",
        "picked": [],
        "form_key": uuid.uuid4().hex,
    } | extra


def campaign_page(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = _public(campaign_id)
    response = render(request, "voting/campaign.html", _campaign_context(request, campaign))
    if DEVICE_COOKIE not in request.COOKIES:
        response.set_cookie(
            DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400, httponly=True, samesite="Lax"
        )
    return response


@require_POST
def verify_phone(request: HtmxHttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    """The inline phone check: the number, then the code sent to it (htmx swaps the box only)."""
    campaign = _public(campaign_id)
    step = request.POST.get("step", "phone")
    phone_form, code_form, error = PhoneForm(), None, ""
    if step == "phone":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                otp_request(phone=phone_form.cleaned_data["phone"], ip=client_ip(request))
            except DomainError as failure:
                error = failure.message
            else:
                code_form = CodeForm(initial={"phone": phone_form.cleaned_data["phone"]})
        else:
            error = _("Enter a valid mainland mobile number (11 digits).")
    else:
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                citizen = otp_verify(
                    phone=code_form.cleaned_data["phone"], code=code_form.cleaned_data["code"]
                )
            except DomainError as failure:
                error = failure.message
            else:
                request.session.cycle_key()
                request.session["citizen_id"] = citizen.pk
                # A new query, not just a new fragment, so the browser really loads the page again.
                target = reverse("voting:campaign", args=[campaign.public_id]) + "?verified=1#ballot"
                return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
        else:
            error = _("The code has six digits.")
    context = _campaign_context(
        request, campaign, phone_form=phone_form, code_form=code_form, verify_error=error
    )
    template = "voting/campaign.html#verify-box" if request.htmx else "voting/campaign.html"
    return render(request, template, context, status=422 if error else 200)


def _picked(request: HttpRequest) -> list[int]:
    ordered = request.POST.get("order", "")
    numbers = [int(x) for x in re.findall(r"\d+", ordered)] if ordered else []
    for raw in request.POST.getlist("choice"):
        if raw.isdigit() and int(raw) not in numbers:
            numbers.append(int(raw))
    return numbers


@require_POST
def vote(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = _public(campaign_id)
    citizen = citizen_of_session(request.session)
    picked = _picked(request)
    if citizen is None:
        error = _("Verify your phone first.")
    else:
        try:
            cast = services.ballot_cast(
                campaign=campaign,
                choices=picked,
                channel=Channel.WEB,
                id_number=request.POST.get("id_number", ""),
                phone_hash=citizen.phone_hash,
                ip=client_ip(request),
                device=request.COOKIES.get(DEVICE_COOKIE, "") or request.headers.get("User-Agent", "")[:256],
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
            )
        except DomainError as failure:
            error = failure.message
        else:
            request.session[_receipt_key(campaign)] = {
                "receipt": receipt_display(cast.receipt),
                "choices": cast.choices,
            }
            return redirect("voting:receipt", campaign.public_id)
    context = _campaign_context(request, campaign, vote_error=error, picked=picked)
    return render(request, "voting/campaign.html", context, status=422)


def receipt(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = _public(campaign_id)
    held = request.session.get(_receipt_key(campaign))
    if not held:
        return redirect("voting:receipt-check", campaign.public_id)
    names = {c.number: c for c in selectors.candidates_of(campaign)}
    chosen = [names[n] for n in held["choices"] if n in names]
    return render(
        request, "voting/receipt.html", {"campaign": campaign, "receipt": held["receipt"], "chosen": chosen}
    )


@require_http_methods(["GET", "POST"])
def receipt_check(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = _public(campaign_id)
    context: dict[str, Any] = {"campaign": campaign, "error": "", "chosen": None}
    status = 200
    if request.method == "POST":
        try:
            ballot = services.receipt_check(
                campaign=campaign, code=request.POST.get("code", ""), ip=client_ip(request)
            )
        except DomainError as failure:
            context["error"], status = failure.message, failure.status
        else:
            names = {c.number: c for c in selectors.candidates_of(campaign)}
            context["chosen"] = [names[int(n)] for n in ballot.choices.split(",") if int(n) in names]
            context["ballot"] = ballot
            context["receipt"] = receipt_display(ballot.receipt)
    return render(request, "voting/receipt_check.html", context, status=status)


def results(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = _public(campaign_id)
    if not campaign.counts_visible:
        return render(request, "voting/results_hidden.html", {"campaign": campaign})
    try:
        data = tally.results_for(campaign=campaign)
    except Conflict:  # results_pending: the worker is counting a large campaign
        return render(request, "voting/results_pending.html", {"campaign": campaign})
    funded_rule = "equal_shares" if campaign.result_rule == "equal_shares" else "greedy"
    funded_numbers = data["funded"][funded_rule]
    by_number = {row["candidate"]: row for row in data["ranking"]}
    channels = dict(Channel.choices)
    context = {
        "campaign": campaign,
        "data": data,
        "charts": presenters.results_charts(data),
        "funded": [by_number[n] for n in funded_numbers if n in by_number],
        "greedy": [by_number[n] for n in data["funded"]["greedy"] if n in by_number],
        "equal_shares": [by_number[n] for n in data["funded"]["equal_shares"] if n in by_number],
        "channels": [(str(channels.get(k, k)), v) for k, v in sorted(data["ballots_by_channel"].items())],
        "held_channels": [
            (str(channels.get(k, k)), v) for k, v in sorted(data["quarantined_by_channel"].items())
        ],
    }
    return render(request, "voting/results.html", context)


def results_export(request: HttpRequest, campaign_id: uuid.UUID, fmt: str) -> HttpResponseBase:
    campaign = _public(campaign_id)
    if fmt not in ("csv", "json", "pb") or not campaign.counts_visible:
        raise Http404
    try:
        data = tally.results_for(campaign=campaign)
    except Conflict:
        return render(request, "voting/results_pending.html", {"campaign": campaign}, status=409)
    stem = f"voting-{campaign.public_id}"
    response: HttpResponseBase
    if fmt == "csv":
        response = HttpResponse(tally.results_csv(data), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        response = HttpResponse(tally.results_json(data), content_type="application/json; charset=utf-8")
    else:
        response = StreamingHttpResponse(
            tally.results_pabulib(campaign=campaign, data=data), content_type="text/plain; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


from minxin.voting.views_staff import (  # noqa: E402 - the desk's pages, for urls.py
    staff_audit,
    staff_campaign,
    staff_edit,
    staff_entry,
    staff_list,
)

__all__ = [
    "campaign_list",
    "campaign_page",
    "receipt",
    "receipt_check",
    "results",
    "results_export",
    "staff_audit",
    "staff_campaign",
    "staff_edit",
    "staff_entry",
    "staff_list",
    "verify_phone",
    "vote",
]

"""The officer's desk: campaigns (list, create, edit, open, close, publish, residents list), offline
ballots entered by keyboard, and the after-close audit (re-exported by views.py for urls.py)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from minxin.accounts.models import User
from minxin.core.context_processors import HtmxHttpRequest
from minxin.core.errors import DomainError
from minxin.orgs.models import Region
from minxin.voting import selectors, services
from minxin.voting.forms import CampaignForm, candidates_as_text
from minxin.voting.models import OFFLINE_CHANNELS, Campaign, CampaignState, Channel
from minxin.voting.services.audit import audit_report
from minxin.voting.services.ballots import receipt_display

EVENT_LABELS = {
    "created": _lazy("Created"),
    "edited": _lazy("Edited"),
    "published": _lazy("Published"),
    "opened": _lazy("Voting opened"),
    "closed": _lazy("Voting closed"),
    "results_published": _lazy("Results published"),
    "residents_imported": _lazy("Residents list imported"),
    "quarantined": _lazy("Ballots quarantined"),
    "released": _lazy("Ballots released"),
}


def _officer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or selectors.officer_regions(user) == []:
        raise Http404
    return user


def _officer_campaign(request: HttpRequest, campaign_id: uuid.UUID) -> tuple[User, Campaign]:
    user = _officer(request)
    campaign = selectors.campaign_get(public_id=campaign_id)
    if campaign is None or not selectors.officer_may_run(user=user, region=campaign.region):
        raise Http404
    return user, campaign


def _officer_regions(user: User) -> Any:
    paths = selectors.officer_regions(user)
    regions = Region.objects.order_by("path")
    if paths is None:
        return regions
    from django.db.models import Q

    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return regions.filter(condition)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    return render(
        request, "voting/staff_list.html", {"campaigns": selectors.campaigns_for_officer(user=user)[:200]}
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, campaign_id: uuid.UUID | None = None) -> HttpResponse:
    user = _officer(request)
    campaign = None
    initial: dict[str, Any] = {}
    if campaign_id is not None:
        user, campaign = _officer_campaign(request, campaign_id)
        initial = {
            field: getattr(campaign, field)
            for field in (
                "title",
                "region",
                "letter",
                "ballot_kind",
                "min_choices",
                "max_choices",
                "ballot_budget",
                "result_rule",
                "budget",
                "completion_step",
                "eligibility",
                "eligible_count",
                "opens_at",
                "closes_at",
            )
        } | {"candidates": candidates_as_text(selectors.candidates_of(campaign))}
    form = CampaignForm(request.POST or None, initial=initial, regions=_officer_regions(user))
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                campaign = services.campaign_create(data=form.data_object(), actor=user)
            else:
                campaign = services.campaign_update(campaign=campaign, data=form.data_object(), actor=user)
        except DomainError as failure:
            error = failure.message
        else:
            return redirect("voting:staff-campaign", campaign.public_id)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "voting/staff_edit.html", {"form": form, "campaign": campaign, "error": error}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_campaign(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    user, campaign = _officer_campaign(request, campaign_id)
    error, notice = "", ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "publish_draft":
                campaign = services.campaign_publish_draft(campaign=campaign, actor=user)
            elif action == "open":
                campaign = services.campaign_open(campaign=campaign, actor=user)
            elif action == "close":
                campaign = services.campaign_close(campaign=campaign, actor=user)
            elif action == "publish":
                campaign = services.campaign_publish(campaign=campaign, actor=user)
            elif action == "residents":
                added, bad = services.eligible_voters_import(
                    campaign=campaign, id_numbers=request.POST.get("id_numbers", "").splitlines(), actor=user
                )
                notice = _("%(added)d added to the residents list.") % {"added": added}
                if bad:
                    notice += " " + _("Lines not valid: %(lines)s.") % {
                        "lines": ", ".join(map(str, bad[:20]))
                    }
        except DomainError as failure:
            error = failure.message
        else:
            if action != "residents":
                return redirect("voting:staff-campaign", campaign.public_id)
    context = {
        "campaign": campaign,
        "candidates": selectors.candidates_of(campaign),
        "events": [
            (event, EVENT_LABELS.get(event.kind, event.kind))
            for event in campaign.events.select_related("actor").order_by("-at")[:50]
        ],
        "eligible_listed": campaign.eligible_voters.count(),
        "error": error,
        "notice": notice,
        "ballots_total": campaign.ballots.count() if campaign.counts_visible else None,
    }
    return render(request, "voting/staff_campaign.html", context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def staff_entry(request: HtmxHttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    """Offline ballots by keyboard: channel, ID number, phone, the numbers chosen; Enter records it and
    the form comes back empty with the cursor in the ID number. The form's own key makes a double
    submission return the same receipt."""
    user, campaign = _officer_campaign(request, campaign_id)
    last: dict[str, Any] | None = None
    error = ""
    channel = request.POST.get("channel") or request.GET.get("channel") or Channel.PAPER
    if request.method == "POST":
        numbers = [int(x) for x in re.findall(r"\d+", request.POST.get("choices", ""))]
        try:
            cast = services.ballot_cast(
                campaign=campaign,
                choices=numbers,
                channel=channel,
                id_number=request.POST.get("id_number", ""),
                phone=request.POST.get("phone", "").strip() or None,
                entered_by=user,
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
            )
        except DomainError as failure:
            error = failure.message
        else:
            last = {
                "receipt": receipt_display(cast.receipt),
                "choices": cast.choices,
                "replayed": cast.replayed,
            }
    context = {
        "campaign": campaign,
        "candidates": selectors.candidates_of(campaign),
        "channels": [(value, label) for value, label in Channel.choices if value in OFFLINE_CHANNELS],
        "channel": channel,
        "last": last,
        "error": error,
        "form_key": uuid.uuid4().hex if not error else request.POST.get("idempotency_key", uuid.uuid4().hex),
        "values": request.POST if error else {},
    }
    template = "voting/staff_entry.html#entry-form" if request.htmx else "voting/staff_entry.html"
    return render(request, template, context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def staff_audit(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    user, campaign = _officer_campaign(request, campaign_id)
    error, notice = "", ""
    if request.method == "POST":
        try:
            changed = services.ballots_quarantine(
                campaign=campaign,
                cluster=request.POST.get("cluster", ""),
                reason=request.POST.get("reason", ""),
                actor=user,
                release=request.POST.get("release") == "1",
            )
        except DomainError as failure:
            error = failure.message
        else:
            notice = _("%(count)d ballots changed.") % {"count": changed}
    if campaign.state not in (CampaignState.CLOSED, CampaignState.RESULTS):
        return render(request, "voting/staff_audit.html", {"campaign": campaign, "report": None})
    report = audit_report(campaign=campaign, actor=user)
    labels = {
        "network": _("Same network"),
        "device": _("Same device"),
        "choices": _("Same choices from one network"),
        "minute": _("Busy minutes"),
    }
    context = {
        "campaign": campaign,
        "report": [(labels[kind], kind, clusters) for kind, clusters in report.items()],
        "error": error,
        "notice": notice,
        "quarantined": campaign.ballots.filter(quarantined_at__isnull=False).count(),
        "may_change": campaign.state == CampaignState.CLOSED,
    }
    return render(request, "voting/staff_audit.html", context, status=422 if error else 200)

"""The officer's buttons on flags (black-flag removal) and titles (their lifecycle steps)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.competition.models import (
    FlagAward,
    Title,
)
from minxin.competition.services import flags as flag_services
from minxin.competition.views.common import (
    _staff,
)
from minxin.core.errors import DomainError


@login_required
@require_POST
def flag_action(request: HttpRequest, award_id: uuid.UUID, action: str) -> HttpResponse:
    user = _staff(request)
    award = get_object_or_404(
        FlagAward.objects.select_related("unit__region", "round__region"), public_id=award_id
    )
    try:
        if action == "rectify":
            flag_services.flag_rectification_report(user=user, award=award, text=request.POST.get("text", ""))
            messages.success(request, _("Rectification reported; the campaign office verifies it."))
        elif action == "remove":
            flag_services.flag_remove(officer=user, award=award, note=request.POST.get("note", ""))
            messages.success(request, _("Black flag removed after a verified rectification."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("competition:unit", award.unit_id)


@login_required
@require_POST
def title_action(request: HttpRequest, title_id: uuid.UUID) -> HttpResponse:
    user = _staff(request)
    title = get_object_or_404(Title.objects.select_related("unit__region", "granted_by"), public_id=title_id)
    try:
        from datetime import date

        flag_services.title_step(
            officer=user,
            title=title,
            step=request.POST.get("step", ""),
            decision=request.POST.get("decision", ""),
            decided_on=date.fromisoformat(request.POST.get("decided_on", "")),
        )
        messages.success(request, _("Title updated."))
    except ValueError:
        messages.error(request, _("Give the date of the decision."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("competition:unit", title.unit_id)

"""A citizen's own data (PIPL arts. 44-47): see the retention periods, download everything every app
keeps about them (JSON), and ask for it to be erased. Erasure anonymises at once what the law allows
and says, part by part, what is kept and why (an open case, a ballot's one-vote hash)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from minxin.accounts.models import Citizen
from minxin.accounts.personal_data import citizen_is_erased, citizen_subject
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.personal_data import personal_data_erase, personal_data_export, registered_parts


def _citizen(request: HttpRequest) -> Citizen | None:
    citizen_id = request.session.get("citizen_id")
    if not isinstance(citizen_id, int):
        return None
    citizen = Citizen.objects.filter(pk=citizen_id).first()
    return None if citizen is None or citizen_is_erased(citizen) else citizen


def retention_periods() -> list[tuple[Any, Any]]:
    """(what, how long) rows for the citizen's page and the public periods page, from the settings."""
    days = gettext_lazy("%(days)d days")
    years = gettext_lazy("%(years)d years")
    return [
        (
            gettext_lazy("A number's phone (encrypted), for the notice and form-free filing"),
            gettext_lazy("until the number closes"),
        ),
        (
            gettext_lazy("A number's phone (masked and keyed hash)"),
            days % {"days": settings.QUEUE_TICKET_PERSONAL_DAYS},
        ),
        (
            gettext_lazy("Bookings' and home visits' phone, name and address"),
            days % {"days": settings.APPOINTMENTS_PERSONAL_DAYS},
        ),
        (
            gettext_lazy("A rating's phone, to reply to a bad review"),
            days % {"days": settings.FEEDBACK_PERSONAL_DAYS},
        ),
        (
            gettext_lazy("Voting: one-vote-per-person hashes and ballots' network hashes, after the results"),
            days % {"days": settings.VOTING_AUDIT_DAYS},
        ),
        (
            gettext_lazy("An account not signed in to"),
            years % {"years": settings.CITIZEN_INACTIVE_DAYS // 365},
        ),
        (
            gettext_lazy("Applicants' details on a decided application (archive period)"),
            years % {"years": settings.CASES_APPLICANT_ARCHIVE_DAYS // 365},
        ),
        (gettext_lazy("Sign-in sessions"), gettext_lazy("until they expire")),
        (
            gettext_lazy("Audit log of staff actions on personal data"),
            years % {"years": settings.AUDIT_RETENTION_DAYS // 365},
        ),
    ]


def privacy_periods(request: HttpRequest) -> HttpResponse:
    """Public: how long each kind of personal data is kept (linked from the privacy policy)."""
    return render(request, "accounts/privacy/periods.html", {"periods": retention_periods()})


def privacy_home(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect("accounts:citizen-login")
    return render(
        request,
        "accounts/privacy/home.html",
        {"citizen": citizen, "periods": retention_periods(), "parts": registered_parts()},
    )


def privacy_export(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect("accounts:citizen-login")
    with transaction.atomic():
        data = {
            "exported_at": clock.now().isoformat(),
            "citizen": str(citizen.public_id),
            "parts": personal_data_export(citizen_subject(citizen)),
        }
        audit_record(actor=None, action="personal_data.exported", target=citizen, request=request)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="minxin-my-data-{clock.now():%Y%m%d}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def privacy_erase(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect("accounts:citizen-login")
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        error = _("Tick the box to confirm.") if request.method == "POST" else ""
        return render(request, "accounts/privacy/erase.html", {"citizen": citizen, "error": error})
    with transaction.atomic():
        results = personal_data_erase(citizen_subject(citizen))
        details = {
            part.app: {"erased": erasure.erased, "kept": len(erasure.kept)} for part, erasure in results
        }
        audit_record(
            actor=None, action="personal_data.erased", target=citizen, details=details, request=request
        )
    request.session.flush()
    kept = [(part.label, statement) for part, erasure in results for statement in erasure.kept]
    erased = sum(erasure.erased for _part, erasure in results)
    return render(request, "accounts/privacy/erased.html", {"kept": kept, "erased": erased})

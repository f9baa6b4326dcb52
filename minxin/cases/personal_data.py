"""The cases' part of personal data (PIPL): an applicant's name, ID number, phone and address.

A case's file is an archive record: the applicant's details stay with it for the legal archive period
(CASES_APPLICANT_ARCHIVE_DAYS) after its last case ended (refused or completed), then are anonymised.
A citizen's erasure request unlinks their account at once and anonymises what is already past it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Max, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.cases.models import FINAL_STATUSES, Applicant, Case
from minxin.core import clock
from minxin.core.personal_data import Erasure, Subject

ERASED_PREFIX = "erased:"


def _cutoff() -> dt.datetime:
    return clock.now() - dt.timedelta(days=settings.CASES_APPLICANT_ARCHIVE_DAYS)


def _past_archive(applicants: QuerySet[Applicant]) -> QuerySet[Applicant]:
    """Applicants with no case still running whose last case ended before the archive cutoff (or who
    never had a case and were recorded before it)."""
    cutoff = _cutoff()
    ended = Max(
        Greatest(Coalesce("cases__completed_at", "cases__refused_at", "cases__created_at"), "created_at")
    )
    return (
        applicants.exclude(id_hash__startswith=ERASED_PREFIX)
        .exclude(cases__in=Case.objects.exclude(status__in=FINAL_STATUSES))
        .annotate(ended=Coalesce(ended, "created_at"))
        .filter(ended__lt=cutoff)
    )


def _anonymise(applicants: QuerySet[Applicant]) -> int:
    ids = list(applicants.values_list("pk", flat=True))
    return Applicant.objects.filter(pk__in=ids).update(
        name="",
        id_hash=Concat(Value(ERASED_PREFIX), Cast("public_id", CharField(max_length=40))),
        id_encrypted="",
        id_masked="",
        contact_name="",
        phone_hash="",
        phone_encrypted="",
        phone_masked="",
        address="",
        citizen=None,
    )


def applicants_retention() -> int:
    """Worker job: anonymise applicants past the archive period."""
    return _anonymise(_past_archive(Applicant.objects.all()))


def _applicants_of(subject: Subject) -> QuerySet[Applicant]:
    match = Q(citizen_id=subject.citizen_id)
    if subject.phone_hash:
        match |= Q(phone_hash=subject.phone_hash)
    if subject.id_number_hash:
        match |= Q(kind="person", id_hash=subject.id_number_hash)
    return Applicant.objects.filter(match).exclude(id_hash__startswith=ERASED_PREFIX)


def applicants_export(subject: Subject) -> list[dict[str, Any]]:
    rows = []
    for applicant in _applicants_of(subject).prefetch_related("cases"):
        cases = [
            {"number": case.number, "status": case.status, "received_at": case.created_at.isoformat()}
            for case in applicant.cases.all()
        ]
        rows.append(
            {
                "name": applicant.name,
                "id_number": applicant.id_masked,
                "phone": applicant.phone_masked,
                "address": applicant.address,
                "cases": cases,
            }
        )
    return rows


@transaction.atomic
def applicants_erase(subject: Subject) -> Erasure:
    mine = _applicants_of(subject)
    erasure = Erasure(erased=_anonymise(_past_archive(mine)))
    kept = list(Case.objects.filter(applicant__in=mine).order_by("number").values_list("number", flat=True))
    mine.update(citizen=None)
    if kept:
        erasure.kept.append(
            _(
                "Your applications %(numbers)s and the applicant details on them are part of the official "
                "file: they are kept until decided and then for %(years)d years (the archive period), "
                "then anonymised. They are no longer linked to your account."
            )
            % {"numbers": ", ".join(kept[:20]), "years": settings.CASES_APPLICANT_ARCHIVE_DAYS // 365}
        )
    return erasure


def register() -> None:
    """Called from CasesConfig.ready()."""
    from minxin.core.personal_data import register_personal_data

    register_personal_data(
        app="cases",
        label=gettext_lazy("Applications"),
        export=applicants_export,
        erase=applicants_erase,
        retention=applicants_retention,
        retention_every_seconds=24 * 3600,
    )

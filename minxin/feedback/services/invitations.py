"""The SMS invitation to rate a completed case still unrated after FEEDBACK_INVITE_AFTER_DAYS days."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.sms import SmsDeliveryError
from minxin.cases.models import Case, CaseStatus
from minxin.core import clock
from minxin.feedback.links import case_link_token
from minxin.feedback.models import CaseInvitation, Rating
from minxin.feedback.services.loop import notice_send

logger = logging.getLogger(__name__)
BATCH = 200
# Cases completed longer ago than this are not invited any more (a late invitation annoys more than
# it helps), which also bounds the scan to recent completions.
LOOK_BACK_DAYS = 14


def cases_invite() -> int:
    """Worker job. First make the invitation row of each case that is due (completed, unrated, with a
    phone; the unique case makes a second worker's insert a no-op), then claim unsent rows one by one
    with a conditional update of `sent_at` and send. A failed SMS is not retried: sent means tried."""
    now = clock.now()
    cutoff = now - dt.timedelta(days=settings.FEEDBACK_INVITE_AFTER_DAYS)
    due = (
        Case.objects.filter(
            status=CaseStatus.COMPLETED,
            completed_at__lte=cutoff,
            completed_at__gte=cutoff - dt.timedelta(days=LOOK_BACK_DAYS),
        )
        .exclude(applicant__phone_encrypted="")
        .filter(~Exists(Rating.objects.filter(case=OuterRef("pk"))))
        .filter(~Exists(CaseInvitation.objects.filter(case=OuterRef("pk"))))
        .values_list("pk", flat=True)[:BATCH]
    )
    CaseInvitation.objects.bulk_create(
        [CaseInvitation(case_id=pk, created_at=now) for pk in due], ignore_conflicts=True
    )
    sent = 0
    for invitation_id, case_id in CaseInvitation.objects.filter(sent_at__isnull=True).values_list(
        "pk", "case_id"
    )[:BATCH]:
        if not CaseInvitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(sent_at=now):
            continue  # another worker claimed it
        case = Case.objects.select_related("applicant", "hall", "item_version").get(pk=case_id)
        if Rating.objects.filter(case=case).exists():
            continue  # rated meanwhile: nothing to invite to
        link = settings.FEEDBACK_SITE_URL.rstrip("/") + reverse("feedback:rate", args=[case_link_token(case)])
        text = _(
            "%(hall)s: your case %(number)s (%(item)s) is completed. Please rate our service: %(link)s"
        ) % {
            "hall": case.hall.name,
            "number": case.number,
            "item": case.item_version.name,
            "link": link + "?via=sms",
        }
        try:
            notice_send(phone=personal.decrypt(case.applicant.phone_encrypted), text=text)
        except (SmsDeliveryError, ValueError):
            logger.warning("rating invitation for case %s not delivered", case.number)
            continue
        CaseInvitation.objects.filter(pk=invitation_id).update(delivered=True)
        sent += 1
    return sent

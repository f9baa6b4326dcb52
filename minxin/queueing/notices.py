""" "You are N-th" notices. The gateway (SMS, a WeChat template-message adapter) is outside the
platform, so it sits behind a backend named by NOTICE_BACKEND; development logs to the console."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.sms import SmsDeliveryError, sms_send
from minxin.core import clock
from minxin.queueing.models import IN_LINE, QueueRules, Ticket
from minxin.queueing.selectors import ticket_ahead

logger = logging.getLogger(__name__)


class NoticeBackend(ABC):
    @abstractmethod
    def send(self, *, phone: str, text: str) -> None:
        """Deliver the notice or raise SmsDeliveryError."""


class ConsoleNoticeBackend(NoticeBackend):
    def send(self, *, phone: str, text: str) -> None:
        sys.stdout.write(f"[notice to {personal.mask_phone(phone)}] {text}\n")
        sys.stdout.flush()


class SmsNoticeBackend(NoticeBackend):
    """Through the platform's SMS backend (accounts.sms)."""

    def send(self, *, phone: str, text: str) -> None:
        sms_send(phone=phone, text=text)


class WebhookNoticeBackend(NoticeBackend):
    """POSTs {"phone", "text"} as JSON to NOTICE_WEBHOOK_URL: the shape a WeChat template-message
    adapter (which maps the phone to the citizen's openid) or any other channel can take."""

    def send(self, *, phone: str, text: str) -> None:
        url = settings.NOTICE_WEBHOOK_URL
        if not url.startswith(("http://", "https://")):
            raise SmsDeliveryError("NOTICE_WEBHOOK_URL is not an http(s) URL")
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise SmsDeliveryError(f"webhook answered {response.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsDeliveryError(f"webhook unreachable: {type(error).__name__}") from error


@cache
def _backend(path: str) -> NoticeBackend:
    instance = import_string(path)()
    if not isinstance(instance, NoticeBackend):
        raise TypeError(f"{path} is not a NoticeBackend")
    return instance


def tickets_notify() -> int:
    """Worker job: tell each citizen with a phone, once, when no more than the hall's `notify_ahead`
    numbers are ahead of them. A notice is claimed by a conditional update before it is sent, so two
    workers never send it twice; one that fails to send is not retried (a late notice misleads)."""
    now = clock.now()
    sent = 0
    candidates = (
        Ticket.objects.filter(
            status__in=IN_LINE, notified_at__isnull=True, service_date__gte=now.date() - dt.timedelta(days=1)
        )
        .exclude(phone_encrypted="")
        .select_related("hall", "service")
    )
    limits = dict(QueueRules.objects.values_list("hall_id", "notify_ahead"))
    for ticket in candidates.order_by("issued_at")[:2000]:
        limit = limits.get(ticket.hall_id, 3)
        if limit == 0:
            continue
        ahead, _reserved = ticket_ahead(ticket)
        if ahead > limit:
            continue
        if not Ticket.objects.filter(pk=ticket.pk, notified_at__isnull=True).update(notified_at=now):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "%(hall)s: %(count)d ahead of number %(number)s (%(service)s). Please come to the windows."
            ) % {
                "hall": ticket.hall.name,
                "count": ahead,
                "number": ticket.number,
                "service": ticket.service.name,
            }
        try:
            _backend(settings.NOTICE_BACKEND).send(phone=personal.decrypt(ticket.phone_encrypted), text=text)
        except SmsDeliveryError:
            logger.warning("notice for ticket %s not delivered", ticket.number)
            continue
        sent += 1
    return sent

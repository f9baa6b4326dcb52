"""Where e-supervision notices to staff go besides the staff home. Staff are reached through the
government's own messaging (政务微信, 政务钉钉 or an OA system's work notices), which address a person by
account rather than by phone, and which are outside the platform: so they sit behind a backend named by
CASES_STAFF_NOTICE_BACKEND, as the citizens' notices do. The console backend (development) prints, the
memory backend (tests) keeps, and the webhook backend POSTs each notice as JSON to an adapter.

The in-app notice row (`StaffNotice`) is written in the flip's transaction and is the record; delivery
runs after commit, once per flip (a flip is claimed by the sweep's guarded update, so two workers never
deliver it twice), and a failed delivery is logged without failing the sweep."""

from __future__ import annotations

import logging
import sys
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from minxin.core.webhooks import WebhookError, webhook_post_json

logger = logging.getLogger(__name__)


class StaffNoticeError(Exception):
    """The messaging system did not take the notice."""


@dataclass(frozen=True, slots=True)
class StaffMessage:
    recipients: tuple[str, ...]  # account names (User.username)
    text: str
    link: str  # the case's staff page, relative to the site


class StaffNoticeBackend(ABC):
    @abstractmethod
    def send(self, message: StaffMessage) -> None:
        """Deliver the message or raise StaffNoticeError."""


class ConsoleStaffNoticeBackend(StaffNoticeBackend):
    def send(self, message: StaffMessage) -> None:
        sys.stdout.write(f"[staff notice to {', '.join(message.recipients)}] {message.text} {message.link}\n")
        sys.stdout.flush()


class LocmemStaffNoticeBackend(StaffNoticeBackend):
    """Keeps what was sent, for tests and for a look in a shell."""

    outbox: list[StaffMessage] = []
    _lock = threading.Lock()

    def send(self, message: StaffMessage) -> None:
        with self._lock:
            self.outbox.append(message)


class WebhookStaffNoticeBackend(StaffNoticeBackend):
    """POSTs {"recipients": [account names], "text", "link"} to CASES_STAFF_NOTICE_WEBHOOK_URL: the shape
    a work-notice adapter for 政务微信 or 政务钉钉 (which maps account names to its own user ids) takes."""

    def send(self, message: StaffMessage) -> None:
        payload = {"recipients": list(message.recipients), "text": message.text, "link": message.link}
        try:
            webhook_post_json(url=str(settings.CASES_STAFF_NOTICE_WEBHOOK_URL), payload=payload)
        except WebhookError as error:
            raise StaffNoticeError(str(error)) from error


@cache
def _backend(path: str) -> StaffNoticeBackend:
    instance = import_string(path)()
    if not isinstance(instance, StaffNoticeBackend):
        raise TypeError(f"{path} is not a StaffNoticeBackend")
    return instance


def staff_notices_send_on_commit(messages: list[StaffMessage]) -> None:
    """Hand the messages to the configured backend once the transaction that wrote them commits."""
    if not messages:
        return

    def deliver() -> None:
        backend = _backend(str(settings.CASES_STAFF_NOTICE_BACKEND))
        for message in messages:
            try:
                backend.send(message)
            except StaffNoticeError as error:
                logger.warning("staff notice not delivered (%s): %s", message.link, error)

    transaction.on_commit(deliver)

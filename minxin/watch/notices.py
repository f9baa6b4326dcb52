"""Where the watch's notices go. The gateway (SMS, a duty phone's push, a radio room's printer) is outside
the platform, so it sits behind a small backend named by WATCH_NOTICE_BACKEND: the console (development),
memory (tests) or SMS through `accounts.sms` (production). Notice rows are written in the transaction of
the flip that caused them; delivery runs after commit, so a rolled-back flip never sends a message."""

from __future__ import annotations

import logging
import sys
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from minxin.accounts.personal import mask_phone
from minxin.accounts.sms import SmsDeliveryError, sms_send

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Message:
    channel: str  # "sms" | "board" | "log"
    recipient: str  # a user's name, or a post's name
    address: str  # a phone number for "sms", else empty
    text: str


class NoticeBackend(ABC):
    @abstractmethod
    def send(self, message: Message) -> None:
        """Deliver the message (raise to have it logged as failed)."""


class ConsoleNoticeBackend(NoticeBackend):
    def send(self, message: Message) -> None:
        address = f" {mask_phone(message.address)}" if message.address else ""
        sys.stdout.write(f"[watch {message.channel} to {message.recipient}{address}] {message.text}\n")
        sys.stdout.flush()


class LocmemNoticeBackend(NoticeBackend):
    outbox: list[Message] = []
    _lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self.outbox.append(message)


class SmsNoticeBackend(NoticeBackend):
    """Text messages through accounts.sms; board and log notices only go to the log."""

    def send(self, message: Message) -> None:
        if message.channel == "sms" and message.address:
            sms_send(phone=message.address, text=message.text)
        else:
            logger.info("watch notice to %s: %s", message.recipient, message.text)


@cache
def _backend(path: str) -> NoticeBackend:
    instance = import_string(path)()
    if not isinstance(instance, NoticeBackend):
        raise TypeError(f"{path} is not a NoticeBackend")
    return instance


def deliver(messages: list[Message]) -> None:
    """Send each message; a failure is logged and does not stop the others (the row stays as record)."""
    backend = _backend(settings.WATCH_NOTICE_BACKEND)
    for message in messages:
        try:
            backend.send(message)
        except (SmsDeliveryError, OSError):
            logger.warning("watch notice to %s failed", message.recipient)

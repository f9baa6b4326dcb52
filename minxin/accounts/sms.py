"""Pluggable SMS delivery. The gateway is outside the platform, so it sits behind this interface;
`SMS_BACKEND` names the class. Development prints to the console; tests read the outbox."""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from minxin.accounts.personal import mask_phone

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SmsMessage:
    phone: str
    text: str


class SmsBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError  # pragma: no cover - interface


class ConsoleSmsBackend(SmsBackend):
    """Prints the message with the phone masked: the developer sees the code, logs never see the number."""

    def send(self, message: SmsMessage) -> None:
        sys.stdout.write(f"[sms to {mask_phone(message.phone)}] {message.text}\n")
        sys.stdout.flush()


class LocmemSmsBackend(SmsBackend):
    """Keeps messages in memory (`LocmemSmsBackend.outbox`), like Django's locmem e-mail backend."""

    outbox: list[SmsMessage] = []
    _lock = threading.Lock()

    def send(self, message: SmsMessage) -> None:
        with self._lock:
            self.outbox.append(message)


@cache
def _backend(path: str) -> SmsBackend:
    backend_class = import_string(path)
    instance = backend_class()
    if not isinstance(instance, SmsBackend):
        raise TypeError(f"{path} is not an SmsBackend")
    return instance


def sms_send(*, phone: str, text: str) -> None:
    _backend(settings.SMS_BACKEND).send(SmsMessage(phone=phone, text=text))
    logger.info("sms sent to %s", mask_phone(phone))

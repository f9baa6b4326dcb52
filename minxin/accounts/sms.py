"""Pluggable SMS delivery. The gateway is outside the platform, so it sits behind this interface;
`SMS_BACKEND` names the class. Development prints to the console; tests read the outbox."""

from __future__ import annotations

import json
import logging
import sys
import threading
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
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


class SmsBackend(ABC):
    @abstractmethod
    def send(self, message: SmsMessage) -> None:
        """Deliver the message or raise SmsDeliveryError."""


class SmsDeliveryError(Exception):
    """The gateway did not accept the message."""


class HttpSmsBackend(SmsBackend):
    """POSTs `{"to": phone, "text": text}` as JSON to SMS_GATEWAY_URL with `Authorization: Bearer
    SMS_GATEWAY_TOKEN`. Most SMS providers are reached through a small adapter service of this shape;
    for one with its own API, subclass SmsBackend instead."""

    def send(self, message: SmsMessage) -> None:
        url = settings.SMS_GATEWAY_URL
        if not url.startswith(("http://", "https://")):
            raise SmsDeliveryError("SMS_GATEWAY_URL is not an http(s) URL")
        body = json.dumps({"to": message.phone, "text": message.text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise SmsDeliveryError(f"gateway answered {response.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsDeliveryError(f"gateway unreachable: {type(error).__name__}") from error


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


NON_PRODUCTION_BACKENDS = {f"{__name__}.ConsoleSmsBackend", f"{__name__}.LocmemSmsBackend"}


def sms_send(*, phone: str, text: str) -> None:
    """Send one message; raises SmsDeliveryError when the gateway does not take it."""
    try:
        _backend(settings.SMS_BACKEND).send(SmsMessage(phone=phone, text=text))
    except SmsDeliveryError:
        logger.warning("sms to %s failed", mask_phone(phone))
        raise
    logger.info("sms sent to %s", mask_phone(phone))

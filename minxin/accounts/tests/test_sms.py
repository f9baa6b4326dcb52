"""The HTTP SMS backend against a real HTTP server on loopback (the gateway is the outside part)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from minxin.accounts.models import OtpChallenge
from minxin.accounts.services import otp_request
from minxin.accounts.sms import HttpSmsBackend, SmsDeliveryError, SmsMessage
from minxin.core.errors import ServiceUnavailable


class Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            {"auth": self.headers["Authorization"], "body": json.loads(self.rfile.read(length))}
        )
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet: the test reads what the gateway received, not its access log."""


@pytest.fixture
def gateway(settings) -> Iterator[type[Gateway]]:
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received, Gateway.status = [], 200
    settings.SMS_BACKEND = "minxin.accounts.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "gateway-secret"
    yield Gateway
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_json_with_the_token(gateway) -> None:
    HttpSmsBackend().send(SmsMessage(phone="13812345678", text="验证码 123456"))
    assert gateway.received == [
        {"auth": "Bearer gateway-secret", "body": {"to": "13812345678", "text": "验证码 123456"}}
    ]


def test_a_refusing_gateway_is_a_delivery_error(gateway) -> None:
    gateway.status = 500
    with pytest.raises(SmsDeliveryError):
        HttpSmsBackend().send(SmsMessage(phone="13812345678", text="x"))


@pytest.mark.django_db
def test_a_code_that_could_not_be_sent_is_a_503_and_leaves_no_code_behind(gateway) -> None:
    gateway.status = 503
    with pytest.raises(ServiceUnavailable) as failure:
        otp_request(phone="13812345678", ip=None)
    assert failure.value.code == "sms_unavailable"
    assert not OtpChallenge.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_gateway_is_a_503_too(settings) -> None:
    settings.SMS_BACKEND = "minxin.accounts.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # discard port: nothing listens
    settings.SMS_GATEWAY_TIMEOUT = 2
    with pytest.raises(ServiceUnavailable):
        otp_request(phone="13812345678", ip=None)

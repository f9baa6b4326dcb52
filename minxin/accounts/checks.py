from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from minxin.accounts import checks_deploy  # noqa: F401 - registers the deployment checks
from minxin.accounts.sms import NON_PRODUCTION_BACKENDS


@register(Tags.security, deploy=True)
def sms_backend_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """One-time codes must reach phones, not a console or a test outbox, in production."""
    if settings.SMS_BACKEND in NON_PRODUCTION_BACKENDS:
        return [
            Warning(
                f"SMS_BACKEND is {settings.SMS_BACKEND}, which does not deliver messages.",
                hint="Use minxin.accounts.sms.HttpSmsBackend (and SMS_GATEWAY_URL) or your own backend.",
                id="minxin.W001",
            )
        ]
    if settings.SMS_BACKEND.endswith(".HttpSmsBackend") and not settings.SMS_GATEWAY_URL:
        return [Error("HttpSmsBackend needs SMS_GATEWAY_URL.", id="minxin.E001")]
    return []

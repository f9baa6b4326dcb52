"""`manage.py check --deploy` refuses to stay quiet about settings that are fine for a demo and wrong for
a public service: the demo's simulated traffic, an SMS gateway over plain HTTP, personal data keyed with
SECRET_KEY, notices printed to a console, SQLite, and staff sign-in without the second factor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

PRODUCTION_OTP_ROLES = {"system_admin", "hall_manager"}


@register(Tags.security, deploy=True)
def demo_simulator_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEMO_SIMULATOR:
        return [
            Error(
                "DEMO_SIMULATOR is on: the worker invents citizens, numbers and calls every few seconds.",
                hint="Unset DEMO_SIMULATOR (or set it to 0) outside the demo.",
                id="minxin.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def plain_http_gateways_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Codes, phone numbers and the gateway's token would cross the network in clear text."""
    found: list[CheckMessage] = []
    for name in ("SMS_GATEWAY_URL", "NOTICE_WEBHOOK_URL"):
        url = str(getattr(settings, name, "") or "")
        if url.lower().startswith("http://"):
            found.append(
                Error(
                    f"{name} is plain http://: phones and codes would travel unencrypted.",
                    hint="Use the gateway's https:// address.",
                    id="minxin.E003",
                )
            )
    return found


@register(Tags.security, deploy=True)
def personal_data_key_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    key = str(getattr(settings, "PERSONAL_DATA_KEY", "") or "")
    if not key or key == settings.SECRET_KEY:
        return [
            Error(
                "PERSONAL_DATA_KEY is not set: phones and ID numbers are hashed and encrypted with "
                "SECRET_KEY, so rotating SECRET_KEY would orphan every stored hash and lose the data.",
                hint="Set PERSONAL_DATA_KEY to its own long random value and keep it as safe as the backups.",
                id="minxin.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def notice_backend_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    backend = str(getattr(settings, "NOTICE_BACKEND", "") or "")
    if backend.rsplit(".", 1)[-1] in {"ConsoleNoticeBackend", "LocmemNoticeBackend"}:
        return [
            Warning(
                f'NOTICE_BACKEND is {backend}: "you are next" notices are printed, not sent.',
                hint="Use the SMS or webhook notice backend (NOTICE_BACKEND, NOTICE_WEBHOOK_URL).",
                id="minxin.W003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def sqlite_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    engines = {alias: str(db.get("ENGINE", "")) for alias, db in settings.DATABASES.items()}
    return [
        Error(
            f"The {alias!r} database is SQLite: one writer at a time, no statement timeouts, no PITR.",
            hint="Use PostgreSQL (DATABASE_URL=postgres://…) in production; SQLite is for the demo.",
            id="minxin.E005",
        )
        for alias, engine in engines.items()
        if "sqlite" in engine
    ]


@register(Tags.security, deploy=True)
def second_factor_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    missing = PRODUCTION_OTP_ROLES - set(settings.STAFF_OTP_REQUIRED_ROLES)
    if missing:
        return [
            Error(
                "Two-step sign-in (TOTP) is not required of: " + ", ".join(sorted(missing)) + ".",
                hint="Set STAFF_OTP_REQUIRED_ROLES=system_admin,hall_manager (the production default).",
                id="minxin.E006",
            )
        ]
    return []

"""The hot path (minxin/core/hotpath.py) itself: the middleware it runs, what it refuses at start-up, and
HOT_PATH=0. Its answers, compared with Django's, are tested by each app with hot routes
(minxin/queueing/tests/test_hotpath.py, minxin/voting/tests/test_hotpath.py) and by every API test when
MINXIN_TEST_THROUGH_WSGI=1 (`make test`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver

from minxin.core.hotpath import LEFT_TO_DJANGO, HotPath, _ninja_callbacks, hot_middleware

ROOT = Path(__file__).resolve().parents[3]

PINNED_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "minxin.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minxin.core.locale.LocaleMiddleware",
    "minxin.core.refusals.RefuseUnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "minxin.accounts.middleware.DeviceSessionMiddleware",
    "minxin.accounts.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "minxin.core.middleware.DatabaseUnavailableMiddleware",
    "minxin.core.middleware.ApiErrorShapeMiddleware",
]


def test_the_middleware_is_pinned_so_that_a_change_decides_for_the_hot_path() -> None:
    assert settings.MIDDLEWARE == PINNED_MIDDLEWARE, (
        "settings.MIDDLEWARE changed. The hot path (minxin/core/hotpath.py) runs every middleware except "
        "those in LEFT_TO_DJANGO, for bearer-token API calls without a session: decide whether the new "
        "middleware belongs there too (it needs the session, the signed-in user or a page), or whether "
        "the hot path must run it (then it must work without request.session/request.user); then "
        "update PINNED_MIDDLEWARE here."
    )


def test_every_middleware_left_to_django_is_in_the_settings_and_gives_its_reason() -> None:
    assert set(LEFT_TO_DJANGO) <= set(settings.MIDDLEWARE)
    assert all(LEFT_TO_DJANGO.values())
    ran = [f"{m.__module__}.{m.__qualname__}" for m in hot_middleware()]
    assert ran == [
        "django.middleware.security.SecurityMiddleware",
        "minxin.core.headers.SecurityHeadersMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "minxin.core.locale.LocaleMiddleware",
        "minxin.core.refusals.RefuseUnstorableInputMiddleware",
        "django.middleware.common.CommonMiddleware",
        "minxin.accounts.middleware.DeviceSessionMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "minxin.core.middleware.DatabaseUnavailableMiddleware",
        "minxin.core.middleware.ApiErrorShapeMiddleware",
    ]


def _django(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    raise AssertionError("not called at start-up")


def test_a_view_that_is_not_a_served_ninja_operation_fails_at_start_up() -> None:
    def not_an_operation(request: Any) -> None:
        raise AssertionError

    with pytest.raises(ImproperlyConfigured, match="not_an_operation"):
        HotPath(_django, [not_an_operation])


def test_an_operation_that_does_not_authenticate_a_bearer_token_first_fails_at_start_up() -> None:
    anonymous = next(
        operation
        for _callback, path_view in _ninja_callbacks(get_resolver().url_patterns)
        for operation in path_view.operations
        if not operation.auth_callbacks
    )
    with pytest.raises(ImproperlyConfigured, match="bearer token first"):
        HotPath(_django, [anonymous.view_func])


@pytest.mark.parametrize(("value", "served_by"), [("0", "django alone"), ("1", "the hot path")])
def test_hot_path_0_serves_django_alone(value: str, served_by: str) -> None:
    script = (
        "import minxin.wsgi as w; "
        "print('django alone' if w.application is w.django_application else "
        "'the hot path' if isinstance(w.application, w.HotPath) else 'neither')"
    )
    environ = os.environ | {"HOT_PATH": value, "DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == served_by

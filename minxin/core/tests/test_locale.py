"""minxin's LocaleMiddleware (minxin/core/locale.py) answers as Django's does: the same language for the
request, the same Vary and Content-Language on the response, for every way a language is asked for; and a
URL configuration with language prefixes gets Django's middleware itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory
from django.utils import translation

from minxin.core.locale import LocaleMiddleware

ASKED: list[dict[str, Any]] = [
    {},
    {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"},
    {"HTTP_ACCEPT_LANGUAGE": "zh-TW,zh;q=0.9"},
    {"HTTP_ACCEPT_LANGUAGE": "zh-CN"},
    {"HTTP_ACCEPT_LANGUAGE": "fr, de;q=0.5"},
    {"HTTP_ACCEPT_LANGUAGE": "*"},
    {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=en"},
    {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=zh-hant", "HTTP_ACCEPT_LANGUAGE": "en"},
    {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=xx"},
]
PATHS = ["/", "/api/v1/campaigns", "/en/", "/zh-hant/page/", "/healthz", "/staff/"]


def answered(middleware_class: type, path: str, headers: dict[str, Any], urlconf: str | None = None) -> Any:
    request = RequestFactory().get(path, **headers)
    if urlconf:
        request.urlconf = urlconf

    def view(request: Any) -> HttpResponse:
        language = translation.get_language()
        return (HttpResponseNotFound if path.endswith("missing/") else HttpResponse)(language)

    try:
        response = middleware_class(view)(request)
        return (
            request.LANGUAGE_CODE,
            response.status_code,
            response.content,
            response.get("Vary"),
            response.get("Content-Language"),
            response.get("Location"),
        )
    finally:
        translation.deactivate()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("headers", ASKED)
def test_the_same_language_and_headers_as_djangos(path: str, headers: dict[str, Any]) -> None:
    ours = answered(LocaleMiddleware, path, headers)
    assert ours == answered(DjangoLocaleMiddleware, path, headers)
    assert ours[4] == ours[0]  # Content-Language is the request's language


@pytest.mark.parametrize("path", ["/en/page/", "/zh-hant/page/", "/page/", "/missing/", "/en/missing/"])
@pytest.mark.parametrize("headers", ASKED[:4])
def test_a_url_configuration_with_language_prefixes_gets_djangos_middleware(
    path: str, headers: dict[str, Any]
) -> None:
    urlconf = "minxin.core.tests.i18n_urls"
    assert answered(LocaleMiddleware, path, headers, urlconf) == answered(
        DjangoLocaleMiddleware, path, headers, urlconf
    )
    if path == "/en/page/":
        assert answered(LocaleMiddleware, path, headers, urlconf)[0] == "en"  # the prefix decides

"""Django's LocaleMiddleware without its look for a language in the path where no URL has one.

Django's middleware reads a language prefix from the path twice a request (`/en/…` under i18n_patterns),
and for a path whose first segment is not a language (`/api/…`, every path here) that look is a failed
search of the supported languages each time: about a third of the middleware's cost. minxin's URLs carry no
language prefix (the language comes from the cookie, the account and Accept-Language), so this subclass
does what Django's does for such a URL configuration: activate the request's language, then add
`Vary: Accept-Language` and `Content-Language` to the response. A URL configuration that uses
i18n_patterns gets Django's middleware unchanged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponseBase
from django.middleware import locale
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LocaleMiddleware(locale.LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> Any:
        if _prefixed(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if _prefixed(request):
            answer: HttpResponseBase = super().process_response(request, response)
            return answer
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _prefixed(request: HttpRequest) -> bool:
    """Whether the request's URL configuration uses i18n_patterns (a language prefix in the path)."""
    used, _prefixed_default = is_language_prefix_patterns_used(
        getattr(request, "urlconf", settings.ROOT_URLCONF)
    )
    return bool(used)

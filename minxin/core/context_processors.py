from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

LARGE_TEXT_COOKIE = "mx_large_text"


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing aid for views)."""

    htmx: HtmxDetails


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME,
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "site_operator": settings.SITE_OPERATOR,
        "site_icp": settings.SITE_ICP,
        "site_code": settings.SITE_CODE,
        "site_psb_filing": settings.SITE_PSB_FILING,
        "site_hotline": settings.SITE_HOTLINE,
    }

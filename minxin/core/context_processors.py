from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

LARGE_TEXT_COOKIE = "mx_large_text"


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME,
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
    }

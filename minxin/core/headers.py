"""Security headers on every response: a strict Content-Security-Policy and a Permissions-Policy.

Scripts run only from our own static files (`script-src 'self'`): no inline script, no `on*=`
attribute, no eval, so an injected tag cannot run. Data for scripts travels in `json_script` blocks
(`type="application/json"`, never executed). Styles may be inline (`style=` attributes, htmx's
indicator rule); images may be data: URIs (QR codes drawn on the server). Nothing loads from another
origin: halls often run on closed networks, and a page that needs a CDN is broken there anyway.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The camera scans QR codes (check-in, inspections), geolocation stamps inspections and lookout reports;
# nothing else is asked for.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "geolocation=(self)",
        "microphone=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "hid=()",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

"""ASGI entry point. Hall event streams are served here directly, before Django's middleware: a stream
lives for hours, and going through the sync middleware would pin a thread and a database connection
to each one (measured: 195 streams per process, then 503s). Everything else goes to Django."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minxin.settings")
# A request may not hold the database for long: one held lock must not hang every request (settings).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
os.environ.setdefault("DATABASE_LOCK_TIMEOUT_MS", "5000")
django_application = get_asgi_application()

from minxin.queueing.live import EVENTS_PATH, hall_events_asgi  # noqa: E402 - needs Django set up first


async def application(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "http" and scope["method"] == "GET" and (match := EVENTS_PATH.match(scope["path"])):
        await hall_events_asgi(match.group("hall"), scope, receive, send)
        return
    await django_application(scope, receive, send)

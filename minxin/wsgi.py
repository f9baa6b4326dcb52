"""WSGI entry point (gunicorn): Django, with the queue's and the voting's hot API calls answered by Django's
handler without the session middleware they do not need (minxin/core/hotpath.py). HOT_PATH=0 serves
Django alone."""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minxin.settings")
# A request may not hold the database for long: one held lock must not hang every request (settings).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
os.environ.setdefault("DATABASE_LOCK_TIMEOUT_MS", "5000")
django_application = get_wsgi_application()

# These modules need Django set up first.
from django.conf import settings  # noqa: E402

from minxin.core.hotpath import HotPath  # noqa: E402
from minxin.queueing.hotpath import ROUTES  # noqa: E402
from minxin.voting.hotpath import ROUTES as VOTING_ROUTES  # noqa: E402

HOT_ROUTES: tuple[Callable[..., Any], ...] = (*ROUTES, *VOTING_ROUTES)


def with_hot_path(django: Callable[..., Iterable[bytes]]) -> HotPath:
    """`django` (a WSGI application) with the hot routes answered in front of it."""
    return HotPath(django, HOT_ROUTES)


application: Callable[..., Any] = (
    with_hot_path(django_application) if settings.HOT_PATH else django_application
)

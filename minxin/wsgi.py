"""WSGI entry point (gunicorn): Django, with the queue's hot API calls answered in front of its request
machinery (minxin/accounts/hotpath.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minxin.settings")
# A request may not hold the database for long: one held lock must not hang every request (settings).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
os.environ.setdefault("DATABASE_LOCK_TIMEOUT_MS", "5000")
django_application = get_wsgi_application()

# These modules need Django set up first.
from minxin.accounts.hotpath import HotPath  # noqa: E402
from minxin.queueing.hotpath import ROUTES  # noqa: E402
from minxin.voting.hotpath import ROUTES as VOTING_ROUTES  # noqa: E402

application = HotPath(django_application, (*ROUTES, *VOTING_ROUTES))

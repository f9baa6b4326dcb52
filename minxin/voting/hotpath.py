"""Casting a ballot through the API with a bearer token (an officer's desk tool or a WeChat-style
integration), answered by Django without the middleware a bearer call does not need
(minxin/core/hotpath.py): the django-ninja operation `api.ballot_cast_api`, run as Django runs it. A
citizen votes with a session cookie, which needs Django's session and CSRF middleware: those requests go
to Django unchanged."""

from __future__ import annotations

from minxin.voting.api import ballot_cast_api

ROUTES = (ballot_cast_api,)

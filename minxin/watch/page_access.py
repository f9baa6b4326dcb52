"""Who may see a watch page: the signed-in user, their scope, a post within it (404, then 403)."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from minxin.accounts.models import User
from minxin.core.errors import DomainError, NotFound
from minxin.watch.models import Post
from minxin.watch.scope import Scope, post_for, scope_of


def request_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def request_scope(request: HttpRequest, *, command: bool = False) -> Scope:
    scope = scope_of(request.user)
    if not scope.is_anyone or (command and not scope.is_command):
        raise PermissionDenied
    return scope


def request_post(scope: Scope, post_id: uuid.UUID, roles: set[str] | None = None) -> Post:
    try:
        return post_for(scope, post_id, roles=roles)
    except NotFound as error:
        raise Http404(str(error)) from error
    except DomainError as error:
        raise PermissionDenied(str(error)) from error

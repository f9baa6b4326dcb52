from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.core.portal import Panel
from minxin.watch.scope import posts_in_scope, scope_of


def watch_panel(request: HttpRequest) -> Panel | None:
    scope = scope_of(request.user)
    if not scope.is_anyone:
        return None
    return Panel(
        title=_("Lookout posts"),
        template="watch/panels/watch.html",
        context={"scope_command": scope.is_command, "posts": list(posts_in_scope(scope)[:30])},
        order=30,
    )

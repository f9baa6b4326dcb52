from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.catalog.models import Window, window_order
from minxin.core.portal import Panel
from minxin.orgs.selectors import halls_for_staff


def my_halls_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not isinstance(user, User):
        return None
    halls = list(halls_for_staff(user=user)[:50])
    if not halls:
        return None
    windows = (
        Window.objects.filter(clerks=user, is_active=True)
        .select_related("hall")
        .order_by("hall__name", *window_order())
    )
    return Panel(
        title=_("Your halls"),
        template="catalog/panels/my_halls.html",
        context={"halls": halls, "windows": list(windows)},
        order=10,
    )

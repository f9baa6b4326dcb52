from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core.portal import Panel
from minxin.orgs.selectors import memberships_of


def my_roles_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not isinstance(user, User):
        return None
    return Panel(
        title=_("Your roles"),
        template="orgs/panels/my_roles.html",
        context={"memberships": memberships_of(user), "is_admin": user.is_staff},
        order=1,
    )

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.core.portal import Panel
from minxin.orgs.selectors import halls_for_staff


def feedback_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not isinstance(user, User):
        return None
    roles = [Role.HALL_MANAGER, Role.DEPARTMENT_OFFICER, Role.CITY_OFFICE, Role.WINDOW_CLERK]
    halls = list(halls_for_staff(user=user, roles=roles)[:50])
    if not halls:
        return None
    return Panel(
        title=_("Citizen ratings"),
        template="feedback/panels/feedback.html",
        context={"feedback_halls": halls},
        order=40,
    )

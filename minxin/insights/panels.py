from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.core.portal import Panel
from minxin.insights.selectors import regions_for_staff
from minxin.orgs.selectors import halls_for_staff


def insights_panel(request: HttpRequest) -> Panel | None:
    """Dashboards the user may open: their regions' city views and wall screens, their halls' reports."""
    user = request.user
    if not isinstance(user, User):
        return None
    regions = regions_for_staff(user=user)
    halls = list(halls_for_staff(user=user, roles=(Role.HALL_MANAGER,))[:20]) if not regions else []
    if not regions and not halls:
        return None
    return Panel(
        title=_("Dashboards and reports"),
        template="insights/panels/insights.html",
        context={"regions": regions, "halls": halls},
        order=40,
    )

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core.portal import Panel
from minxin.voting.selectors import campaigns_for_officer, officer_regions


def campaigns_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not isinstance(user, User) or officer_regions(user) == []:
        return None
    return Panel(
        title=_("Public voting"),
        template="voting/panels/campaigns.html",
        context={"campaigns": list(campaigns_for_officer(user=user)[:8])},
        order=40,
    )

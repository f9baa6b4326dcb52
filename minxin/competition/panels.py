"""The competition's panel on the staff home: for campaign officers, assessors and units' staff."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.competition.models import Assignment, Inspection, Round
from minxin.competition.selectors import units_of_staff
from minxin.core.portal import Panel
from minxin.orgs.models import StaffMembership


def competition_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not isinstance(user, User):
        return None
    roles = {Role.CAMPAIGN_OFFICER, Role.ASSESSOR, Role.SYSTEM_ADMIN}
    if (
        not StaffMembership.objects.filter(user=user, role__in=roles).exists()
        and not units_of_staff(user=user).exists()
    ):
        return None
    open_assignments = Assignment.objects.filter(assessor=user, round__status=Round.Status.OPEN)
    inspected = Inspection.objects.filter(assessor=user, round__status=Round.Status.OPEN).values("unit")
    count = open_assignments.exclude(unit__in=inspected).count()
    return Panel(
        title=_("三比三看 competition"),
        template="competition/panels/staff.html",
        context={"inspections": count},
        order=60,
    )

"""Checks shared by the round services: who may run a round, and in which status an action is allowed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.competition.models import Round
from minxin.competition.selectors import officer_may_run
from minxin.core.errors import Conflict, Forbidden
from minxin.orgs.models import Region


def require_officer(*, user: User, region: Region) -> None:
    if not officer_may_run(user=user, region=region):
        raise Forbidden(_("Only a campaign officer of this region may do this."), code="not_campaign_officer")


def _require_status(round: Round, *allowed: str) -> None:
    if round.status not in allowed:
        raise Conflict(
            _("The round is %(status)s.") % {"status": round.get_status_display()}, code="round_status"
        )

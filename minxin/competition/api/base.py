"""The competition API's router and what its parts share."""

from __future__ import annotations

import uuid
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router

from minxin.competition.models import Round
from minxin.core.errors import NotFound

router = Router(tags=["competition"])
Category = Literal["administration", "enforcement", "service"]


def round_or_404(round_id: uuid.UUID) -> Round:
    round = Round.objects.select_related("region", "rubric").filter(public_id=round_id).first()
    if round is None:
        raise NotFound(_("No such round."), code="round_not_found")
    return round

"""Current flag holders (public)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from minxin.competition.api.base import Category, router
from minxin.competition.models import FlagAward
from minxin.competition.selectors import current_holders
from minxin.core.errors import InvalidInput
from minxin.orgs.models import Region


class HolderOut(Schema):
    id: uuid.UUID
    colour: str
    unit: int
    unit_name: str
    city: str
    rank: int
    total: Decimal
    reason: str
    since: dt.date
    certificate: str
    history: str

    @staticmethod
    def of(award: FlagAward) -> HolderOut:
        return HolderOut(
            id=award.public_id,
            colour=award.colour,
            unit=award.unit_id,
            unit_name=award.unit.name,
            city=award.unit.region.name,
            rank=award.rank,
            total=award.total,
            reason=award.reason,
            since=award.round.period_start,
            certificate=reverse("competition:certificate", args=[award.public_id]),
            history=reverse("competition:unit", args=[award.unit_id]),
        )


class FlagsOut(Schema):
    region: str
    region_name: str
    category: str
    round: uuid.UUID
    period_start: dt.date
    period_end: dt.date
    red: list[HolderOut]
    black: list[HolderOut]


class FlagFilter(Schema):
    region: str = Field("", max_length=12)
    category: Category | Literal[""] = ""


@router.get("/flags", response=list[FlagsOut], summary="Current flag holders (public)")
def flags_api(request: HttpRequest, filters: Query[FlagFilter]) -> list[FlagsOut]:
    region = None
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise InvalidInput(
                _("No region with this code."), code="unknown_region", details={"field": "region"}
            )
    return [
        FlagsOut(
            region=h.round.region.code,
            region_name=h.round.region.name,
            category=h.round.category,
            round=h.round.public_id,
            period_start=h.round.period_start,
            period_end=h.round.period_end,
            red=[HolderOut.of(a) for a in h.red],
            black=[HolderOut.of(a) for a in h.black],
        )
        for h in current_holders(region=region, category=filters.category)
    ]

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_list

router = Router(tags=["halls"])


class HallSummaryOut(Schema):
    code: str
    name: str
    unit: str
    region: str
    address: str
    phone: str
    time_zone: str

    @staticmethod
    def of(hall: Hall) -> HallSummaryOut:
        return HallSummaryOut(
            code=hall.code,
            name=hall.name,
            unit=hall.unit.name,
            region=hall.unit.region.name,
            address=hall.address,
            phone=hall.phone,
            time_zone=hall.time_zone,
        )


class HallFilter(Schema):
    q: str = Field("", max_length=100, description="Words in the name, address or region")
    region: str = Field("", max_length=12, pattern=r"^\d*$", description="GB/T 2260 region code")


@router.get("/halls", response=list[HallSummaryOut], summary="Service halls")
def hall_list_api(request: HttpRequest, filters: Query[HallFilter]) -> list[HallSummaryOut]:
    return [HallSummaryOut.of(hall) for hall in hall_list(query=filters.q, region_code=filters.region)]

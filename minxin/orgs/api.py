from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.core.errors import NotFound
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_get, hall_list, memberships_of

router = Router(tags=["halls"])


def hall_or_404(code: str) -> Hall:
    """The open hall with this code, or the API's 404 (hall_not_found)."""
    hall = hall_get(code=code)
    if hall is None:
        raise NotFound(_("No hall with the code %(code)s.") % {"code": code}, code="hall_not_found")
    return hall


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


class MembershipOut(Schema):
    role: str
    role_label: str
    scope: str
    hall: str | None = None
    region: str | None = None


class MeOut(Schema):
    username: str
    display_name: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, auth=staff_auth, summary="The signed-in staff member or device")
def me_api(request: HttpRequest) -> MeOut:
    user = request_user(request)
    rows = [
        MembershipOut(
            role=m.role,
            role_label=m.get_role_display(),
            scope=str(m.hall or m.unit or m.region or "*"),
            hall=m.hall.code if m.hall else None,
            region=m.region.code if m.region else None,
        )
        for m in memberships_of(user)
    ]
    return MeOut(username=user.username, display_name=user.display_name, memberships=rows)

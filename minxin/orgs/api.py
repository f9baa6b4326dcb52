from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.accounts.models import Citizen
from minxin.core.errors import NotFound
from minxin.orgs.models import Hall
from minxin.orgs.reveal import NOTE_MAX_LENGTH, RevealReason, citizen_phone_reveal
from minxin.orgs.selectors import hall_for, hall_list, memberships_of

router = Router(tags=["halls"])


def hall_or_404(code: str) -> Hall:
    """The open hall with this code, or the API's 404 (hall_not_found): a thin alias of
    `orgs.selectors.hall_for`, which new code calls (with the roles it needs, for the 403 too)."""
    return hall_for(code=code)


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


class PhoneRevealIn(Schema):
    reason: RevealReason = Field(description="Why the full number is needed")
    note: str = Field(
        "", max_length=NOTE_MAX_LENGTH, description="Details; required when the reason is other"
    )


class PhoneRevealOut(Schema):
    phone: str
    phone_masked: str


@router.post(
    "/halls/{code}/citizens/{citizen_id}/phone",
    response=PhoneRevealOut,
    auth=staff_auth,
    summary="A citizen's full phone number, for a hall where they have a number or a case (audited)",
)
def citizen_phone_reveal_api(
    request: HttpRequest, code: str, citizen_id: uuid.UUID, payload: PhoneRevealIn
) -> PhoneRevealOut:
    hall = hall_or_404(code)
    citizen = Citizen.objects.filter(public_id=citizen_id).first()
    if citizen is None:
        raise NotFound(_("No such citizen."), code="citizen_not_found")
    phone = citizen_phone_reveal(
        citizen=citizen,
        actor=request_user(request),
        hall=hall,
        reason=payload.reason,
        note=payload.note,
        request=request,
    )
    return PhoneRevealOut(phone=phone, phone_masked=citizen.phone_masked)

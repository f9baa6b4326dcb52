from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field
from pydantic.config import JsonDict

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.accounts.models import Role
from minxin.catalog.models import Department, ItemVersion
from minxin.catalog.selectors import (
    SearchFilters,
    catalog_search,
    departments_for_officer,
    hall_detail,
    item_guide,
)
from minxin.catalog.services import MaterialData, item_create
from minxin.core.clock import local_today
from minxin.core.errors import Forbidden, InvalidInput, NotFound
from minxin.orgs.api import HallSummaryOut
from minxin.orgs.selectors import hall_for, staff_may_act_in_hall

router = Router(tags=["catalog"])


# Local wall-clock times without an offset ("09:00:00"): RFC 3339's partial-time, not JSON Schema's
# "time", which requires one (the hall's zone is given beside them).
_PARTIAL_TIME: JsonDict = {"format": "partial-time", "pattern": r"^\d{2}:\d{2}:\d{2}$"}


class OpeningPeriodOut(Schema):
    weekday: int
    opens: dt.time = Field(json_schema_extra=_PARTIAL_TIME)
    closes: dt.time = Field(json_schema_extra=_PARTIAL_TIME)


class DepartmentOut(Schema):
    code: str
    name: str
    short_name: str
    stationed_on: dt.date
    items: int


class WindowOut(Schema):
    number: str
    name: str
    kind: str
    department: str | None
    items: list[str]


class ItemSummaryOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    department: str
    hall: str
    promised_days: int
    statutory_days: int
    trips: int
    online: bool
    appointment: bool
    mail_delivery: bool
    fee: Decimal

    @staticmethod
    def of(version: ItemVersion) -> ItemSummaryOut:
        item = version.item
        return ItemSummaryOut(
            id=item.public_id,
            code=item.code,
            name=version.name,
            department=item.department.name,
            hall=item.department.hall.code,
            promised_days=version.promised_days,
            statutory_days=version.statutory_days,
            trips=version.trips,
            online=version.online,
            appointment=version.appointment,
            mail_delivery=version.mail_delivery,
            fee=version.fee,
        )


class HallDetailOut(HallSummaryOut):
    opening_hours: list[OpeningPeriodOut]
    closures: list[dt.date]
    departments: list[DepartmentOut]
    windows: list[WindowOut]
    items: int


@router.get("/halls/{code}", response=HallDetailOut, summary="A hall: departments, windows, hours")
def hall_detail_api(request: HttpRequest, code: str) -> HallDetailOut:
    detail = hall_detail(hall=hall_for(code=code))
    hall = detail.hall
    summary = HallSummaryOut.of(hall)
    return HallDetailOut(
        **summary.model_dump(),
        opening_hours=[
            OpeningPeriodOut(weekday=p.weekday, opens=p.opens, closes=p.closes)
            for p in hall.opening_hours.all()
        ],
        closures=list(
            hall.closures.filter(date__gte=local_today(hall.time_zone)).values_list("date", flat=True)
        ),
        departments=[
            DepartmentOut(
                code=d.code,
                name=d.name,
                short_name=d.short_name,
                stationed_on=d.stationed_on,
                items=sum(len(getattr(item, "current", [])) for item in d.items.all()),
            )
            for d in detail.departments
        ],
        windows=[
            WindowOut(
                number=w.number,
                name=w.name,
                kind=w.kind,
                department=w.department.code if w.department else None,
                items=[item.code for item in w.items.all()],
            )
            for w in detail.windows
        ],
        items=detail.item_count,
    )


class ItemFilter(Schema):
    q: str = Field("", max_length=100, description="Words in the item name, code or department")
    hall: str = Field("", max_length=64, description="Only items of this hall")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class ItemPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[ItemSummaryOut]


@router.get("/items", response=ItemPageOut, summary="Search the service catalog")
def item_search_api(request: HttpRequest, filters: Query[ItemFilter]) -> ItemPageOut:
    hall = hall_for(code=filters.hall) if filters.hall else None
    versions = catalog_search(query=filters.q, filters=SearchFilters(hall=hall)).versions
    size = filters.page_size
    start = (filters.page - 1) * size
    return ItemPageOut(
        count=len(versions),
        page=filters.page,
        page_size=size,
        results=[ItemSummaryOut.of(v) for v in versions[start : start + size]],
    )


class MaterialIO(Schema):
    name: str = Field(min_length=1, max_length=200)
    originals: int = Field(1, ge=0, le=99)
    copies: int = Field(0, ge=0, le=99)
    mandatory: bool = True
    note: str = Field("", max_length=255)


class ItemGuideOut(ItemSummaryOut):
    version: int
    valid_from: dt.date | None
    kind: str
    level: str
    implementing_body: str
    legal_basis: str
    conditions: str
    fee_basis: str
    consult_phone: str
    complaint_phone: str
    special_steps: str
    materials: list[MaterialIO]

    @staticmethod
    def of_guide(version: ItemVersion) -> ItemGuideOut:
        return ItemGuideOut(
            **ItemSummaryOut.of(version).model_dump(),
            version=version.number,
            valid_from=version.valid_from,
            kind=version.kind,
            level=version.level,
            implementing_body=version.implementing_body,
            legal_basis=version.legal_basis,
            conditions=version.conditions,
            fee_basis=version.fee_basis,
            consult_phone=version.consult_phone,
            complaint_phone=version.complaint_phone,
            special_steps=version.special_steps,
            materials=[
                MaterialIO(
                    name=m.name, originals=m.originals, copies=m.copies, mandatory=m.mandatory, note=m.note
                )
                for m in version.materials.all()
            ],
        )


@router.get("/items/{item_id}", response=ItemGuideOut, summary="The guide of one item")
def item_guide_api(request: HttpRequest, item_id: uuid.UUID) -> ItemGuideOut:
    version = item_guide(public_id=str(item_id))
    if version is None:
        raise NotFound(_("No published item with this id."), code="item_not_found")
    return ItemGuideOut.of_guide(version)


class ItemIn(Schema):
    department: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["licensing", "confirmation", "payment", "filing", "public_service", "other"] = (
        "public_service"
    )
    level: Literal["province", "city", "county"] = "city"
    implementing_body: str = Field(min_length=1, max_length=128)
    legal_basis: str = Field("", max_length=5000)
    conditions: str = Field("", max_length=5000)
    fee: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    fee_basis: str = Field("", max_length=255)
    statutory_days: int = Field(ge=0, le=365)
    promised_days: int = Field(ge=0, le=365)
    trips: int = Field(1, ge=0, le=9)
    online: bool = False
    appointment: bool = False
    mail_delivery: bool = False
    consult_phone: str = Field("", max_length=32)
    complaint_phone: str = Field("", max_length=32)
    special_steps: str = Field("", max_length=2000)
    materials: list[MaterialIO] = Field(default_factory=list, max_length=50)
    publish_on: dt.date | None = None


@router.post(
    "/halls/{code}/items",
    response={201: ItemGuideOut},
    auth=staff_auth,
    summary="Create an item (hall manager, or an officer of its department)",
)
def item_create_api(request: HttpRequest, code: str, payload: ItemIn) -> Status[ItemGuideOut]:
    hall = hall_for(code=code)
    user = request_user(request)
    if not staff_may_act_in_hall(user=user, hall=hall, roles=[Role.HALL_MANAGER, Role.DEPARTMENT_OFFICER]):
        raise Forbidden(_("You have no role in this hall."), code="out_of_scope")
    department = departments_for_officer(user=user, hall=hall).filter(code=payload.department).first()
    if department is None:
        if not Department.objects.filter(hall=hall, code=payload.department).exists():
            raise InvalidInput(_("No such department in this hall."), details={"field": "department"})
        raise Forbidden(_("You are not an officer of this department."), code="out_of_scope")
    content = payload.model_dump(exclude={"department", "code", "materials", "publish_on"})
    version = item_create(
        department=department,
        code=payload.code,
        content=content,
        materials=[MaterialData(**m.model_dump()) for m in payload.materials],
        publish_on=payload.publish_on,
        actor=user,
    )
    return Status(201, ItemGuideOut.of_guide(version))

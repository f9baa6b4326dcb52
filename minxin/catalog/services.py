from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.catalog import search
from minxin.catalog.indexing import search_index
from minxin.catalog.models import Department, ItemVersion, Material, ServiceItem, Window
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, InvalidInput
from minxin.core.memo import forget
from minxin.orgs.models import Hall, Unit

# The content fields of a version: what a new version may change and what import/export carry.
VERSION_FIELDS = (
    "name",
    "kind",
    "level",
    "implementing_body",
    "legal_basis",
    "conditions",
    "fee",
    "fee_basis",
    "statutory_days",
    "promised_days",
    "trips",
    "online",
    "appointment",
    "mail_delivery",
    "consult_phone",
    "complaint_phone",
    "special_steps",
)
# The rest of the guide: carried by new versions, not (yet) by the import/export sheet.
GUIDE_FIELDS = (
    "audience",
    "online_url",
    "process_steps",
    "result_name",
    "result_delivery",
    "faq",
)
CONTENT_FIELDS = VERSION_FIELDS + GUIDE_FIELDS


@dataclass(frozen=True, slots=True)
class MaterialData:
    name: str
    originals: int = 1
    copies: int = 0
    mandatory: bool = True
    note: str = ""
    source: str = ""
    sample_url: str = ""


def _validation_to_invalid(error: ValidationError, model: type[models.Model]) -> InvalidInput:
    fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    first_field, messages = next(iter(fields.items()))
    try:
        label = str(getattr(model._meta.get_field(first_field), "verbose_name", first_field))
    except FieldDoesNotExist:
        label = first_field
    return InvalidInput(
        _("%(field)s: %(message)s") % {"field": label, "message": messages[0]},
        details={"field": first_field, "errors": {k: list(v) for k, v in fields.items()}},
    )


def department_station(
    *, hall: Hall, code: str, name: str, short_name: str = "", unit: Unit | None = None, stationed_on: dt.date
) -> Department:
    """Station a department in a hall (进驻) from `stationed_on`."""
    department = Department(
        hall=hall, code=code, name=name, short_name=short_name, unit=unit, stationed_on=stationed_on
    )
    try:
        department.full_clean()
    except ValidationError as error:
        raise _validation_to_invalid(error, Department) from None
    department.save()
    return department


def _build_version(item: ServiceItem, number: int, content: dict[str, Any]) -> ItemVersion:
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown item fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    version = ItemVersion(item=item, number=number, **content)
    if version.promised_days > version.statutory_days:
        raise InvalidInput(
            _("The promised limit cannot be longer than the statutory limit."),
            details={"field": "promised_days"},
        )
    try:
        version.full_clean(exclude=["item"], validate_constraints=False)
    except ValidationError as error:
        raise _validation_to_invalid(error, ItemVersion) from None
    return version


def _save_materials(version: ItemVersion, materials: Sequence[MaterialData]) -> None:
    rows = []
    for position, data in enumerate(materials):
        if not data.name.strip():
            raise InvalidInput(
                _("A material needs a name."), details={"field": "materials", "position": position}
            )
        if data.originals < 0 or data.copies < 0 or (data.originals == 0 and data.copies == 0):
            raise InvalidInput(
                _("Material %(name)s needs at least one original or copy.") % {"name": data.name},
                details={"field": "materials", "position": position},
            )
        rows.append(
            Material(
                version=version,
                position=position,
                name=data.name.strip(),
                originals=data.originals,
                copies=data.copies,
                mandatory=data.mandatory,
                note=data.note,
                source=data.source,
                sample_url=data.sample_url,
            )
        )
    Material.objects.bulk_create(rows)


def item_create(
    *,
    department: Department,
    code: str,
    content: dict[str, Any],
    materials: Sequence[MaterialData] = (),
    publish_on: dt.date | None = None,
    actor: User | None = None,
) -> ItemVersion:
    """Create an item with its first version, a draft unless `publish_on` is given."""
    if not code.strip():
        raise InvalidInput(_("The item needs a code."), details={"field": "code"})
    with transaction.atomic():
        try:
            with transaction.atomic():
                item = ServiceItem.objects.create(department=department, code=code.strip())
        except IntegrityError:
            raise Conflict(
                _("Item %(code)s already exists in this department.") % {"code": code}, code="item_exists"
            ) from None
        content = {
            "audience": search.guess_audience(str(content.get("name", "")), [m.name for m in materials])
        } | content
        version = _build_version(item, 1, content)
        version.save()
        _save_materials(version, materials)
        audit_record(actor=actor, action="item.created", target=item, details={"code": item.code})
        if publish_on is not None:
            version = item_version_publish(version=version, valid_from=publish_on, actor=actor)
    return version


def item_version_draft(
    *,
    item: ServiceItem,
    content: dict[str, Any],
    materials: Sequence[MaterialData],
    actor: User | None = None,
) -> ItemVersion:
    """A new draft version of `item` (numbered after the highest so far). Published ones stay as they are."""
    with transaction.atomic():
        # Lock the item row so two editors cannot both take the same next number.
        ServiceItem.objects.select_for_update().filter(pk=item.pk).first()
        last = item.versions.aggregate(last=Max("number"))["last"] or 0
        version = _build_version(item, last + 1, content)
        version.save()
        _save_materials(version, materials)
        audit_record(
            actor=actor, action="item.version_drafted", target=version, details={"number": version.number}
        )
    return version


def item_version_update(
    *,
    version: ItemVersion,
    content: dict[str, Any],
    materials: Sequence[MaterialData] | None = None,
    actor: User | None = None,
) -> ItemVersion:
    """Edit a draft. A published version is immutable: make a new draft instead."""
    with transaction.atomic():
        current = ItemVersion.objects.select_for_update().get(pk=version.pk)
        if current.status != ItemVersion.Status.DRAFT:
            raise Conflict(
                _("A published version cannot be changed; create a new version instead."),
                code="version_published",
            )
        merged = {name: getattr(current, name) for name in CONTENT_FIELDS} | content
        updated = _build_version(current.item, current.number, merged)
        updated.pk, updated.status = current.pk, current.status
        updated.save()
        if materials is not None:
            current.materials.all().delete()
            _save_materials(updated, materials)
        audit_record(
            actor=actor, action="item.version_updated", target=updated, details={"fields": sorted(content)}
        )
    return updated


def item_version_publish(
    *, version: ItemVersion, valid_from: dt.date, actor: User | None = None
) -> ItemVersion:
    """Publish a draft from `valid_from`. The version it replaces stays valid until the day before."""
    with transaction.atomic():
        ServiceItem.objects.select_for_update().filter(pk=version.item_id).first()
        current = ItemVersion.objects.filter(
            item_id=version.item_id, status=ItemVersion.Status.PUBLISHED, valid_to__isnull=True
        ).first()
        if current is not None:
            if current.valid_from and valid_from <= current.valid_from:
                raise InvalidInput(
                    _("A new version must start after the current one (%(date)s).")
                    % {"date": current.valid_from},
                    details={"field": "valid_from"},
                )
            ItemVersion.objects.filter(pk=current.pk).update(valid_to=valid_from - dt.timedelta(days=1))
        changed = ItemVersion.objects.filter(pk=version.pk, status=ItemVersion.Status.DRAFT).update(
            status=ItemVersion.Status.PUBLISHED, valid_from=valid_from, published_at=clock.now()
        )
        if not changed:
            raise Conflict(_("This version is already published."), code="version_published")
        search_index(version_ids=[version.pk])
        audit_record(
            actor=actor,
            action="item.version_published",
            target=version,
            details={"valid_from": str(valid_from)},
        )
    return ItemVersion.objects.get(pk=version.pk)


def window_create(
    *,
    hall: Hall,
    number: str,
    name: str,
    kind: str,
    department: Department | None = None,
    items: Iterable[ServiceItem] = (),
) -> Window:
    if department is not None and department.hall_id != hall.pk:
        raise InvalidInput(
            _("The department is not stationed in this hall."), details={"field": "department"}
        )
    window = Window(hall=hall, number=number, name=name, kind=kind, department=department)
    try:
        window.full_clean()
    except ValidationError as error:
        raise _validation_to_invalid(error, Window) from None
    with transaction.atomic():
        window.save()
        window.items.set(list(items))
    return window


def window_assign_clerk(*, window: Window, clerk: User, actor: User | None = None) -> None:
    with transaction.atomic():
        window.clerks.add(clerk)
        forget("clerk-window")
        audit_record(
            actor=actor, action="window.clerk_assigned", target=window, details={"clerk": clerk.username}
        )


def department_assign_officer(*, department: Department, officer: User, actor: User | None = None) -> None:
    with transaction.atomic():
        department.officers.add(officer)
        audit_record(
            actor=actor,
            action="department.officer_assigned",
            target=department,
            details={"officer": officer.username},
        )


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _content_of(version: ItemVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in VERSION_FIELDS}


def _guide_of(version: ItemVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in GUIDE_FIELDS}


def _materials_of(version: ItemVersion) -> list[MaterialData]:
    return [
        MaterialData(
            name=m.name,
            originals=m.originals,
            copies=m.copies,
            mandatory=m.mandatory,
            note=m.note,
            source=m.source,
            sample_url=m.sample_url,
        )
        for m in version.materials.all()
    ]


def items_import(
    *, hall: Hall, rows: Iterable[dict[str, Any]], valid_from: dt.date, actor: User | None = None
) -> ImportReport:
    """Import parsed rows (see catalog.tabular) into `hall`: new items are created and published, changed
    items get a new published version from `valid_from`, identical ones are left alone.

    All or nothing: if any row is wrong, nothing is written and every problem is reported with its row.
    """
    report = ImportReport()
    departments = {d.code: d for d in Department.objects.filter(hall=hall)}
    try:
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                try:
                    _import_row(row, departments, valid_from, actor, report)
                except InvalidInput as error:
                    report.errors.append(
                        _("Row %(row)d: %(message)s") % {"row": line, "message": error.message}
                    )
                except Conflict as error:
                    report.errors.append(
                        _("Row %(row)d: %(message)s") % {"row": line, "message": error.message}
                    )
            if report.errors:
                raise _Rollback
    except _Rollback:
        report.created = report.updated = report.unchanged = 0
    return report


class _Rollback(Exception):
    """Raised inside the import's transaction to undo every row once any row was wrong."""


def _import_row(
    row: dict[str, Any],
    departments: dict[str, Department],
    valid_from: dt.date,
    actor: User | None,
    report: ImportReport,
) -> None:
    department = departments.get(str(row.get("department", "")))
    if department is None:
        raise InvalidInput(_("unknown department %(code)s") % {"code": row.get("department", "")})
    content = {name: row[name] for name in VERSION_FIELDS if name in row}
    # A sheet without the materials column leaves each item's materials as they are.
    materials: list[MaterialData] | None = row.get("materials")
    item = ServiceItem.objects.filter(department=department, code=row.get("code", "")).first()
    if item is None:
        item_create(
            department=department,
            code=str(row.get("code", "")),
            content=content,
            materials=materials or [],
            publish_on=valid_from,
            actor=actor,
        )
        report.created += 1
        return
    current = item.versions.filter(status=ItemVersion.Status.PUBLISHED, valid_to__isnull=True).first()
    if current is not None:
        old = _content_of(current)
        merged = old | content
        if materials is None:
            materials = _materials_of(current)
        if merged == old and materials == _materials_of(current):
            report.unchanged += 1
            return
        content = merged | _guide_of(current)
    draft = item_version_draft(item=item, content=content, materials=materials or [], actor=actor)
    item_version_publish(version=draft, valid_from=valid_from, actor=actor)
    report.updated += 1

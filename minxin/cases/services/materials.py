"""The materials of a case as the window checks them: the clerk's check of each, its validation against
the item version's list, the case's material rows, the notice's content and the 容缺 gaps still open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from minxin.cases.models import Case, CaseMaterial
from minxin.cases.services.common import field_error
from minxin.catalog.models import ItemVersion, Material


@dataclass(frozen=True, slots=True)
class MaterialCheck:
    material: int
    presented: bool
    ok: bool
    original: bool = False
    note: str = ""
    due: dt.date | None = None


def checks_validated(version: ItemVersion, checks: Sequence[MaterialCheck]) -> dict[int, MaterialCheck]:
    known = {m.pk: m for m in Material.objects.filter(version=version)}
    by_id: dict[int, MaterialCheck] = {}
    for check in checks:
        if check.material not in known:
            raise field_error(
                "materials",
                _("Material %(id)s is not one of this item's.") % {"id": check.material},
                "unknown_material",
            )
        if check.material in by_id:
            raise field_error("materials", _("A material is listed twice."), "duplicate_material")
        if len(check.note) > 255:
            raise field_error("materials", _("A note is longer than 255 characters."), "note_too_long")
        by_id[check.material] = check
    return by_id


def materials_rows(case: Case, version: ItemVersion, checks: dict[int, MaterialCheck]) -> list[CaseMaterial]:
    rows = []
    for material in Material.objects.filter(version=version).order_by("position", "id"):
        check = checks.get(material.pk)
        rows.append(
            CaseMaterial(
                case=case,
                material=material,
                presented=bool(check and check.presented),
                original=bool(check and check.original),
                ok=bool(check and check.presented and check.ok),
                note=(check.note.strip() if check else ""),
                gap_due=check.due if check else None,
            )
        )
    return rows


def notice_content(
    case: Case, rows: list[CaseMaterial], missing_ids: set[int], reasons: str
) -> dict[str, object]:
    return {
        "number": case.number,
        "item": case.item_version.name,
        "missing": [
            {
                "material": row.material_id,
                "name": row.material.name,
                "note": row.note,
                "due": row.gap_due.isoformat() if row.gap_due else None,
            }
            for row in rows
            if row.material_id in missing_ids
        ],
        "reasons": reasons,
        "promised_due": case.promised_due.isoformat() if case.promised_due else None,
        "statutory_due": case.statutory_due.isoformat() if case.statutory_due else None,
    }


def gaps_outstanding(case: Case) -> bool:
    return CaseMaterial.objects.filter(case=case, gap_due__isnull=False, received_at__isnull=True).exists()

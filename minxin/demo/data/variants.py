"""Deriving the variants of a base item and numbering a hall's items (see `catalog`)."""

from __future__ import annotations

from dataclasses import replace

from minxin.demo.data.catalog import FORM_KEY, PHOTO_KEY, PROXY_KEY, Materials, Row, VariantRules
from minxin.demo.data.specs import DepartmentSpec, ItemSpec, MaterialSpec


def _applicant(base: ItemSpec, materials: Materials) -> MaterialSpec:
    """The base item's proof of who applies: an ID card, a business licence or another identity proof."""
    for material in base.materials:
        if material.name == "营业执照" or ("身份证" in material.name and not material.name.startswith("拟")):
            return material
    return materials.generic_applicant


def _promised(template: str, promised: int) -> int:
    if template == "change":
        return promised // 2 if promised > 1 else promised
    if template == "cancel":
        return min(promised, 3)
    if template in ("reissue", "replace"):
        return min(promised, 5)
    return promised


def variant(row: Row, name: str, code: str, materials: Materials, rules: VariantRules) -> ItemSpec:
    """The variant `name` of the row's base item, with its template's conditions and materials."""
    base = row.item
    rule = next((rule for rule in rules.keywords if rule[0] in name), None)
    if rule is None:
        raise row.source.fail(f"no variant keyword (variants.toml) matches the variant {name!r}")
    _, template, form = rule
    conditions, extras = rules.templates[template]
    # Real-estate registration always uses the one registration application form.
    form_material = materials.by_key[FORM_KEY] if materials.by_key[FORM_KEY] in base.materials else None
    # Items that need a photo are done in person, so their variants take no power of attorney.
    in_person = materials.by_key[PHOTO_KEY] in base.materials
    listed = (
        _applicant(base, materials),
        form_material or MaterialSpec(form, 1, 0, True),
        *(MaterialSpec(extra, 1, 0, True) for extra in extras),
        *(() if in_person else (materials.by_key[PROXY_KEY],)),
    )
    # A cancellation applied for online is completed without a visit; other variants need what the base needs.
    trips = 0 if template == "cancel" and base.online and base.mail_delivery else base.trips
    keeps_fee = template in ("reissue", "replace")
    return replace(
        base,
        code=code,
        name=name,
        conditions=conditions,
        materials=listed,
        fee=base.fee if keeps_fee else "0",
        fee_basis=base.fee_basis if keeps_fee else "",
        promised_days=_promised(template, base.promised_days),
        trips=trips,
        special_steps=base.special_steps if template == "renew" else "",
    )


def expand(
    rows: tuple[Row, ...],
    departments: tuple[DepartmentSpec, ...],
    first: int,
    *,
    materials: Materials,
    rules: VariantRules,
) -> tuple[ItemSpec, ...]:
    """Assign codes (department prefix + main number + sub number) and derive the variants."""
    prefixes = {dept.code: f"00{first + index:02d}05" for index, dept in enumerate(departments)}
    counters: dict[str, int] = {}
    items: list[ItemSpec] = []
    for row in rows:
        dept = row.item.department
        if dept not in prefixes:
            raise row.source.fail(f"unknown department {dept!r} (the file's [[department]] codes)")
        main = counters.get(dept, 0) + 1
        counters[dept] = main
        stem = f"{prefixes[dept]}{main:03d}"
        items.append(replace(row.item, code=f"{stem}000"))
        items.extend(
            variant(row, name, f"{stem}{sub:03d}", materials, rules)
            for sub, name in enumerate(row.variants, 1)
        )
    return tuple(items)

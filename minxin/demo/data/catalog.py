"""The halls' departments and service items, read from `qinhuangdao.toml` and `sjz_tax.toml`.

Part of the catalogue is derived, deterministically: a base item may list variants ("…变更", "…延续",
"…注销", "…补发", "…换发"), which reuse its department, legal basis and level with the conditions and
materials of the variant's template (`variants.toml`). Item codes follow the shape of GB/T 39554.1-2020
basic codes (12 digits): a 6-digit department prefix (from the department's place in its file), a
3-digit main item number and a 3-digit sub-item number (000 for the base item).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from minxin.demo.data.files import Table, read
from minxin.demo.data.specs import DepartmentSpec, ItemSpec, MaterialSpec

TEMPLATES = frozenset({"change", "renew", "cancel", "reissue", "replace"})
# The common materials the variant rules look for, by key.
FORM_KEY, PHOTO_KEY, PROXY_KEY = "re", "photo", "auth"


@dataclass(frozen=True)
class Materials:
    """The common materials of `materials.toml`, by key and by name."""

    by_key: dict[str, MaterialSpec]
    by_name: dict[str, MaterialSpec]
    optional_note: str
    generic_applicant: MaterialSpec


@dataclass(frozen=True)
class VariantRules:
    """The first keyword found in a variant's name picks its template and its application form."""

    keywords: tuple[tuple[str, str, str], ...]  # (keyword, template, form)
    templates: dict[str, tuple[str, tuple[str, ...]]]  # template -> (conditions, extra materials)


@dataclass(frozen=True)
class Row:
    """One base item of a hall file (its code still empty) with the names of its variants."""

    item: ItemSpec
    variants: tuple[str, ...]
    source: Table


def _material(entry: Table) -> MaterialSpec:
    entry.only("key", "name", "originals", "copies", "mandatory", "note")
    return MaterialSpec(
        entry.text("name"),
        entry.integer("originals"),
        entry.integer("copies"),
        entry.flag("mandatory"),
        entry.text("note", ""),
    )


def load_materials() -> Materials:
    root = read("materials.toml").only("optional_note", "generic_applicant", "material")
    entries = root.tables("material", "material")
    by_key = {entry.text("key"): _material(entry) for entry in entries}
    for key in (FORM_KEY, PHOTO_KEY, PROXY_KEY):
        if key not in by_key:
            raise root.fail(f"the common material with key {key!r} is missing (the variant rules use it)")
    return Materials(
        by_key=by_key,
        by_name={material.name: material for material in by_key.values()},
        optional_note=root.text("optional_note"),
        generic_applicant=MaterialSpec(root.text("generic_applicant"), 1, 0, True),
    )


def load_variant_rules() -> VariantRules:
    root = read("variants.toml").only("keyword", "template")
    templates: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, values in root.table("template").values.items():
        entry = Table(values if isinstance(values, dict) else {}, f"{root.where}, [template.{name}]")
        if name not in TEMPLATES:
            raise entry.fail(f"unknown template (known: {', '.join(sorted(TEMPLATES))})")
        entry.only("conditions", "materials")
        templates[name] = (entry.text("conditions"), entry.texts("materials"))
    keywords = []
    for entry in root.tables("keyword", "keyword", name="word"):
        entry.only("word", "template", "form")
        if entry.text("template") not in templates:
            raise entry.fail(f"template {entry.text('template')!r} is not defined under [template]")
        keywords.append((entry.text("word"), entry.text("template"), entry.text("form")))
    return VariantRules(tuple(keywords), templates)


def parse_materials(tokens: tuple[str, ...], materials: Materials) -> tuple[MaterialSpec, ...]:
    """A material list: a common material's name takes its details from `materials.toml`, any other
    name is one original, no copy, mandatory. A leading `?` makes it optional; a trailing `*` asks for
    one copy besides the original."""
    result: list[MaterialSpec] = []
    for raw in tokens:
        token = raw.strip()
        optional = token.startswith("?")
        token = token.removeprefix("?")
        material = materials.by_name.get(token)
        if material is not None:
            if optional and material.mandatory:
                material = replace(material, mandatory=False, note=material.note or materials.optional_note)
        else:
            copies = 1 if token.endswith("*") else 0
            note = materials.optional_note if optional else ""
            material = MaterialSpec(token.removesuffix("*"), 1, copies, not optional, note)
        result.append(material)
    return tuple(result)


ITEM_FIELDS = (
    "department", "name", "kind", "level", "legal_basis", "conditions", "materials", "statutory_days",
    "promised_days", "trips", "fee", "fee_basis", "online", "appointment", "mail_delivery",
    "special_steps", "variants",
)  # fmt: skip


def _row(entry: Table, materials: Materials) -> Row:
    entry.only(*ITEM_FIELDS)
    item = ItemSpec(
        department=entry.text("department"),
        code="",
        name=entry.text("name"),
        kind=entry.text("kind"),
        level=entry.text("level"),
        legal_basis=entry.text("legal_basis"),
        conditions=entry.text("conditions"),
        materials=parse_materials(entry.texts("materials"), materials),
        fee=entry.text("fee"),
        fee_basis=entry.text("fee_basis", ""),
        statutory_days=entry.integer("statutory_days"),
        promised_days=entry.integer("promised_days"),
        trips=entry.integer("trips"),
        online=entry.flag("online"),
        appointment=entry.flag("appointment"),
        mail_delivery=entry.flag("mail_delivery"),
        special_steps=entry.text("special_steps", ""),
    )
    return Row(item, entry.texts("variants", ()), entry)


def _department(entry: Table) -> DepartmentSpec:
    entry.only("code", "name", "short_name", "windows")
    return DepartmentSpec(
        entry.text("code"), entry.text("name"), entry.text("short_name"), entry.integer("windows")
    )


def load_hall(name: str, materials: Materials) -> tuple[tuple[DepartmentSpec, ...], tuple[Row, ...]]:
    """A hall file: its departments (in the order that fixes their code prefixes) and its items."""
    root = read(name).only("department", "item")
    departments = tuple(_department(entry) for entry in root.tables("department", "department"))
    rows = tuple(_row(entry, materials) for entry in root.tables("item", "item"))
    return departments, rows

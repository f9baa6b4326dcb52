"""CSV and XLSX import and export of service items.

One row per item (its current version). Headers are the column labels in the user's language; import
also accepts the labels of the other languages and the plain field keys, so a sheet exported in one
language imports in another. Materials sit in one cell, one material per line:
`name | originals | copies | mandatory (yes/no) | note`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from minxin.catalog.models import ItemVersion
from minxin.catalog.services import VERSION_FIELDS, MaterialData
from minxin.core.errors import InvalidInput

COLUMNS: tuple[tuple[str, Any], ...] = (
    ("department", gettext_lazy("Department code")),
    ("code", gettext_lazy("Item code")),
    ("name", gettext_lazy("Name")),
    ("kind", gettext_lazy("Kind")),
    ("level", gettext_lazy("Level")),
    ("implementing_body", gettext_lazy("Implementing body")),
    ("legal_basis", gettext_lazy("Legal basis")),
    ("conditions", gettext_lazy("Conditions")),
    ("fee", gettext_lazy("Fee (yuan)")),
    ("fee_basis", gettext_lazy("Fee basis")),
    ("statutory_days", gettext_lazy("Statutory limit (working days)")),
    ("promised_days", gettext_lazy("Promised limit (working days)")),
    ("trips", gettext_lazy("Trips to the hall")),
    ("online", gettext_lazy("Online")),
    ("appointment", gettext_lazy("Appointment")),
    ("mail_delivery", gettext_lazy("Mail delivery")),
    ("consult_phone", gettext_lazy("Consultation phone")),
    ("complaint_phone", gettext_lazy("Complaint phone")),
    ("special_steps", gettext_lazy("Special steps")),
    ("materials", gettext_lazy("Materials")),
)
_BOOL_FIELDS = {"online", "appointment", "mail_delivery"}
_INT_FIELDS = {"statutory_days", "promised_days", "trips"}
_TRUE = {"1", "true", "yes", "y", "是", "√", "✓"}  # plus the translated "yes" of the current language
_FALSE = {"0", "false", "no", "n", "否", "", "×"}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header_map() -> dict[str, str]:
    mapping = {key: key for key, _label in COLUMNS}
    for language in ("zh-hans", "zh-hant", "en"):
        with translation.override(language):
            mapping.update({str(label).strip().lower(): key for key, label in COLUMNS})
    return {name.lower(): key for name, key in mapping.items()}


def _label(key: str) -> str:
    return next((str(label) for name, label in COLUMNS if name == key), key)


def _yes() -> str:
    return pgettext("spreadsheet cell", "yes")


def _no() -> str:
    return pgettext("spreadsheet cell", "no")


def _parse_bool(value: Any, column: str) -> bool:
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE or text == _yes().lower():
        return True
    if text in _FALSE or text == _no().lower():
        return False
    raise InvalidInput(_("%(column)s must be yes or no, not %(value)s") % {"column": column, "value": value})


def _parse_int(value: Any, column: str) -> int:
    try:
        number = int(Decimal(str(value).strip()))
    except ArithmeticError:
        raise InvalidInput(
            _("%(column)s must be a whole number, not %(value)s") % {"column": column, "value": value}
        ) from None
    if number < 0:
        raise InvalidInput(_("%(column)s cannot be negative") % {"column": column})
    return number


def parse_materials(cell: Any) -> list[MaterialData]:
    materials = []
    for line in str(cell or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        parts += [""] * (5 - len(parts))
        materials.append(
            MaterialData(
                name=parts[0],
                originals=_parse_int(parts[1] or "1", _("Materials")),
                copies=_parse_int(parts[2] or "0", _("Materials")),
                mandatory=_parse_bool(parts[3] or "yes", _("Materials")),
                note=parts[4],
            )
        )
    return materials


def format_materials(version: ItemVersion) -> str:
    return "\n".join(
        f"{m.name} | {m.originals} | {m.copies} | {_yes() if m.mandatory else _no()} | {m.note}".rstrip(" |")
        for m in version.materials.all()
    )


def rows_from_table(table: Iterable[list[Any]]) -> Iterator[dict[str, Any]]:
    """Turn a header row plus data rows into typed item rows. Raises InvalidInput naming the problem."""
    iterator = iter(table)
    header = next(iterator, None)
    if header is None:
        raise InvalidInput(_("The file is empty."))
    names = _header_map()
    keys = []
    for cell in header:
        key = names.get(str(cell or "").strip().lower())
        if key is None and str(cell or "").strip():
            raise InvalidInput(
                _("Unknown column: %(column)s") % {"column": cell}, details={"column": str(cell)}
            )
        keys.append(key)
    for required in ("department", "code", "name"):
        if required not in keys:
            raise InvalidInput(_("The column %(column)s is missing.") % {"column": _label(required)})
    for values in iterator:
        if not any(str(v or "").strip() for v in values):
            continue
        raw = {key: value for key, value in zip(keys, values, strict=False) if key}
        yield _typed_row(raw)


def _typed_row(raw: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _BOOL_FIELDS:
            row[key] = _parse_bool(value, _label(key))
        elif key in _INT_FIELDS:
            row[key] = _parse_int(value, _label(key))
        elif key == "fee":
            try:
                row[key] = Decimal(str(value if value is not None else "0").strip() or "0")
            except ArithmeticError:
                raise InvalidInput(_("Fee must be a number, not %(value)s") % {"value": value}) from None
        elif key == "materials":
            row[key] = parse_materials(value)
        else:
            row[key] = "" if value is None else str(value).strip()
    return row


def read_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")  # Excel on Chinese Windows saves CSV in GB18030
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from error
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export_table(versions: Iterable[ItemVersion]) -> list[list[Any]]:
    table: list[list[Any]] = [[str(label) for _key, label in COLUMNS]]
    for version in versions:
        row: list[Any] = [version.item.department.code, version.item.code]
        for name in VERSION_FIELDS:
            value = getattr(version, name)
            row.append(_yes() if value is True else _no() if value is False else value)
        row.append(format_materials(version))
        table.append(row)
    return table


def write_csv(table: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return buffer.getvalue().encode("utf-8-sig")  # with BOM so Excel opens Chinese text correctly


def write_xlsx(table: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Items")
    for row in table:
        sheet.append([str(v) if isinstance(v, Decimal) else v for v in row])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

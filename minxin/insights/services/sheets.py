"""The spreadsheet parts the hall and competition reports share."""

from __future__ import annotations

from typing import Any


def sheet_add(workbook: Any, title: str, header: list[str], rows: list[list[Any]]) -> None:
    """A sheet of `workbook` titled `title` (cut to Excel's 31 characters): a bold, frozen header row,
    then the rows."""
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 14

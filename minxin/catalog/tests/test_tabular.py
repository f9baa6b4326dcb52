from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from minxin.catalog import tabular
from minxin.catalog.models import ItemVersion, ServiceItem

EXPORT = "/staff/halls/qhd/items/export.{fmt}"
IMPORT = "/staff/halls/qhd/items/import/"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_without_changes(cast, client, fmt: str) -> None:
    client.force_login(cast.alice)
    exported = client.get(EXPORT.format(fmt=fmt))
    assert exported.status_code == 200
    assert "qhd-items-" in exported["Content-Disposition"]
    upload = io.BytesIO(exported.content)
    upload.name = f"items.{fmt}"
    response = client.post(IMPORT, {"file": upload, "valid_from": "2026-12-01"}, follow=True)
    assert response.status_code == 200
    assert (
        "0 new, 0 changed, 2 unchanged" in response.content.decode() or "新增 0" in response.content.decode()
    )
    assert ItemVersion.objects.count() == 2


@pytest.mark.django_db
def test_an_xlsx_export_has_translated_headers_and_materials(cast, client) -> None:
    client.force_login(cast.alice)
    workbook = load_workbook(io.BytesIO(client.get(EXPORT.format(fmt="xlsx")).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 3
    header = rows[0]
    assert header[1] in {"Item code", "事项编码"}
    materials = rows[1][-1] if rows[1][1] == "000113001000" else rows[2][-1]
    assert materials.splitlines()[0] in {"居民身份证 | 1 | 1 | yes", "居民身份证 | 1 | 1 | 是"}


@pytest.mark.django_db
def test_an_import_creates_new_items_and_versions_changed_ones(cast) -> None:
    from minxin.catalog.services import items_import

    table = [
        [
            "department",
            "code",
            "name",
            "implementing_body",
            "statutory_days",
            "promised_days",
            "online",
            "materials",
        ],
        ["psb", "000105001000", "居民身份证换领", "市公安局", "20", "3", "是", "居民身份证 | 1 | 0 | yes"],
        [
            "amr",
            "000113002000",
            "企业变更登记",
            "市市场监督管理局",
            "15",
            "1",
            "否",
            "营业执照 | 1 | 0 | 是\n章程 | 0 | 1 | 否 | 如有",
        ],
    ]
    report = items_import(
        hall=cast.hall, rows=list(tabular.rows_from_table(table)), valid_from=dt.date(2026, 12, 1)
    )
    assert (report.created, report.updated, report.unchanged, report.errors) == (1, 1, 0, [])
    current = cast.item.item.versions.get(valid_to__isnull=True)
    assert (current.number, current.promised_days, current.online) == (2, 3, True)
    new = ServiceItem.objects.get(code="000113002000").versions.get()
    assert [(m.name, m.mandatory, m.note) for m in new.materials.all()] == [
        ("营业执照", True, ""),
        ("章程", False, "如有"),
    ]


@pytest.mark.django_db
def test_an_import_with_one_bad_row_writes_nothing_and_names_every_problem(cast) -> None:
    from minxin.catalog.services import items_import

    table = [
        ["department", "code", "name", "implementing_body", "statutory_days", "promised_days"],
        ["amr", "000113003000", "企业注销登记", "市市场监督管理局", "15", "5"],
        ["nope", "000113004000", "x", "y", "1", "1"],
        ["amr", "000113005000", "z", "y", "1", "9"],
    ]
    report = items_import(
        hall=cast.hall, rows=list(tabular.rows_from_table(table)), valid_from=dt.date(2026, 12, 1)
    )
    assert len(report.errors) == 2
    assert report.errors[0].startswith(("Row 3", "第 3 行"))
    assert not ServiceItem.objects.filter(code="000113003000").exists()


@pytest.mark.django_db
def test_an_unknown_column_or_a_bad_number_is_named(cast) -> None:
    from minxin.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="colour"):
        list(tabular.rows_from_table([["department", "code", "name", "colour"]]))
    with pytest.raises(InvalidInput, match=r"Statutory limit|法定时限"):
        list(
            tabular.rows_from_table(
                [["department", "code", "name", "statutory_days"], ["psb", "1", "x", "soon"]]
            )
        )


@pytest.mark.django_db
def test_only_the_halls_managers_may_import_or_export(cast, client) -> None:
    for user in (cast.bob, cast.charlie, cast.erin):
        client.force_login(user)
        assert client.get(EXPORT.format(fmt="csv")).status_code == 403
        assert client.get(IMPORT).status_code == 403


@pytest.mark.django_db
def test_a_bad_upload_is_a_422_page_naming_the_problem(cast, client) -> None:
    client.force_login(cast.alice)
    upload = io.BytesIO(b"not a workbook")
    upload.name = "items.xlsx"
    response = client.post(IMPORT, {"file": upload, "valid_from": "2026-12-01"})
    assert response.status_code == 422
    assert "XLSX" in response.content.decode()


@pytest.mark.django_db
def test_an_import_without_a_materials_column_keeps_the_materials(cast) -> None:
    from minxin.catalog.services import items_import

    table = [
        ["department", "code", "name", "implementing_body", "statutory_days", "promised_days"],
        ["psb", "000105001000", "居民身份证换领", "市公安局", "20", "2"],
    ]
    report = items_import(
        hall=cast.hall, rows=list(tabular.rows_from_table(table)), valid_from=dt.date(2026, 12, 1)
    )
    assert report.updated == 1
    newest = cast.item.item.versions.get(number=2)
    assert [m.name for m in newest.materials.all()] == ["居民身份证", "申请表"]

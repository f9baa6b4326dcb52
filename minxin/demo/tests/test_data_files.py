"""The demo's data files: a mistake in one fails with the file, the entry and the field named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from minxin.demo import data
from minxin.demo.data import catalog, files, places


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data files copied into a temporary folder, which the reader then reads instead."""
    for path in files.DATA_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(files, "DATA_DIR", tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copied_files_read_as_the_package_reads_them(copy: Path) -> None:
    departments, rows = catalog.load_hall("qinhuangdao.toml", catalog.load_materials())
    assert departments == data.QINHUANGDAO_DEPARTMENTS
    assert [row.item.name for row in rows][:2] == ["居民身份证首次申领", "居民身份证换领"]


def test_a_value_of_the_wrong_kind_names_the_file_the_item_and_the_field(copy: Path) -> None:
    edit(copy / "qinhuangdao.toml", "statutory_days = 60", 'statutory_days = "六十"')
    with pytest.raises(files.DataFileError) as raised:
        catalog.load_hall("qinhuangdao.toml", catalog.load_materials())
    assert str(raised.value) == (
        "minxin/demo/data/qinhuangdao.toml, item 1 (居民身份证首次申领): "
        "field 'statutory_days' must be a whole number, not '六十'"
    )


def test_a_misspelt_or_missing_field_is_an_error_not_a_default(copy: Path) -> None:
    edit(copy / "qinhuangdao.toml", "promised_days = 20", "promise_days = 20")
    with pytest.raises(
        files.DataFileError, match=r"item 1 \(居民身份证首次申领\): unknown field\(s\) promise_days"
    ):
        catalog.load_hall("qinhuangdao.toml", catalog.load_materials())


def test_an_unknown_unit_kind_names_the_unit(copy: Path) -> None:
    edit(copy / "units.toml", 'kind = "organ"', 'kind = "机关"')
    with pytest.raises(
        files.DataFileError, match=r"units.toml, city 1 \(130100\), unit 1 \(石家庄市行政审批局\)"
    ):
        places.load_units()


def test_broken_toml_names_the_file(copy: Path) -> None:
    edit(copy / "staff.toml", "names = [", "names = [[")
    with pytest.raises(files.DataFileError, match=r"^minxin/demo/data/staff.toml: not valid TOML"):
        places.load_staff_names()


def test_an_item_of_an_unknown_department_is_named(copy: Path) -> None:
    edit(copy / "sjz_tax.toml", 'department = "tax-sjz"', 'department = "tax-xyz"')
    materials = catalog.load_materials()
    departments, rows = catalog.load_hall("sjz_tax.toml", materials)
    rules = catalog.load_variant_rules()
    with pytest.raises(
        files.DataFileError, match=r"sjz_tax.toml, item 1 \(.+\): unknown department 'tax-xyz'"
    ):
        data.variants.expand(rows, departments, 44, materials=materials, rules=rules)


def test_the_data_files_are_utf8_chinese_not_escapes() -> None:
    text = (files.DATA_DIR / "qinhuangdao.toml").read_text(encoding="utf-8")
    assert "秦皇岛市公安局" in text
    assert "\\u" not in text


def test_a_breach_of_the_limits_names_the_file_and_the_item(copy: Path) -> None:
    edit(copy / "qinhuangdao.toml", "promised_days = 20", "promised_days = 90")
    materials, rules = catalog.load_materials(), catalog.load_variant_rules()
    departments, rows = catalog.load_hall("qinhuangdao.toml", materials)
    items = data.variants.expand(rows, departments, 1, materials=materials, rules=rules)
    with pytest.raises(
        ValueError, match=r"qinhuangdao.toml: item 000105001000 居民身份证首次申领: promised days"
    ):
        data.checks.validate(
            province=data.PROVINCE,
            regions=data.REGIONS,
            qhd=(departments, items),
            tax=(data.TAX_HALL_DEPARTMENTS, data.TAX_HALL_SERVICES),
            units=data.UNITS,
            staff_names=data.STAFF_NAMES,
        )

"""The demo city's data, read from the TOML files of this folder by the ``load_demo`` command.

The files (UTF-8, editable by hand; each says its format at the top) describe Hebei province
(`regions.toml`: 11 prefecture-level cities with real GB/T 2260 codes and a few of their districts and
counties), the departments and service items of the Qinhuangdao municipal government service centre
(`qinhuangdao.toml`) and of the Shijiazhuang tax hall (`sjz_tax.toml`), with the materials and variant
rules they share (`materials.toml`, `variants.toml`), the units that compete for the "mobile red flag"
(`units.toml`) and a pool of invented staff names (`staff.toml`).

Nothing here touches Django. A file that cannot be read, or a value of the wrong kind, fails at import
with `DataFileError` naming the file, the entry and the field; ``validate()`` then checks counts,
uniqueness and limits and raises ``ValueError`` listing every problem. All people are invented; legal
bases cite real laws and regulations. Data values are Simplified Chinese on purpose: they are data, not
UI strings.
"""

from __future__ import annotations

from minxin.demo.data import checks
from minxin.demo.data.catalog import load_hall, load_materials, load_variant_rules
from minxin.demo.data.files import DataFileError
from minxin.demo.data.places import load_regions, load_staff_names, load_units
from minxin.demo.data.specs import DepartmentSpec, ItemSpec, MaterialSpec, RegionSpec, UnitSpec
from minxin.demo.data.variants import expand

__all__ = [
    "PROVINCE",
    "QINHUANGDAO_DEPARTMENTS",
    "QINHUANGDAO_ITEMS",
    "REGIONS",
    "STAFF_NAMES",
    "TAX_HALL_DEPARTMENTS",
    "TAX_HALL_SERVICES",
    "UNITS",
    "DataFileError",
    "DepartmentSpec",
    "ItemSpec",
    "MaterialSpec",
    "RegionSpec",
    "UnitSpec",
    "validate",
]

PROVINCE, REGIONS = load_regions()

_MATERIALS = load_materials()
_RULES = load_variant_rules()
QINHUANGDAO_DEPARTMENTS, _qhd_rows = load_hall("qinhuangdao.toml", _MATERIALS)
QINHUANGDAO_ITEMS = expand(_qhd_rows, QINHUANGDAO_DEPARTMENTS, 1, materials=_MATERIALS, rules=_RULES)
TAX_HALL_DEPARTMENTS, _tax_rows = load_hall("sjz_tax.toml", _MATERIALS)
TAX_HALL_SERVICES = expand(
    _tax_rows, TAX_HALL_DEPARTMENTS, len(QINHUANGDAO_DEPARTMENTS) + 1, materials=_MATERIALS, rules=_RULES
)

UNITS = load_units()
STAFF_NAMES = load_staff_names()


def validate() -> None:
    """Check the counts, uniqueness and limits the demo loader relies on; raise ValueError on any breach."""
    checks.validate(
        province=PROVINCE,
        regions=REGIONS,
        qhd=(QINHUANGDAO_DEPARTMENTS, QINHUANGDAO_ITEMS),
        tax=(TAX_HALL_DEPARTMENTS, TAX_HALL_SERVICES),
        units=UNITS,
        staff_names=STAFF_NAMES,
    )

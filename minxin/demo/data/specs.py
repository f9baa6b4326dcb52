"""The typed shapes of the demo's data, as the loader hands them to `minxin.demo.city`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RegionSpec:
    code: str
    name: str
    counties: tuple[tuple[str, str], ...]  # (code, name) of districts and counties


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    code: str
    name: str
    short_name: str
    window_count: int


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    name: str
    originals: int
    copies: int
    mandatory: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class ItemSpec:
    department: str  # DepartmentSpec.code
    code: str  # GB/T 39554.1-2020 style item code
    name: str
    kind: str  # "许可" | "确认" | "给付" | "备案" | "公共服务" | "其他"
    level: str  # "市级" | "县级" | "省级"
    legal_basis: str
    conditions: str
    materials: tuple[MaterialSpec, ...]
    fee: str  # "0" or a decimal string in yuan
    fee_basis: str  # "" when free
    statutory_days: int  # working days; 0 means on the spot
    promised_days: int  # working days; 0 means on the spot; <= statutory_days
    trips: int  # visits to the hall: 0, 1 or 2
    online: bool
    appointment: bool
    mail_delivery: bool
    special_steps: str  # steps not counted in the time limit, or ""


@dataclass(frozen=True, slots=True)
class UnitSpec:
    city_code: str
    name: str
    kind: str  # "organ" | "judicial" | "utility" | "window"
    flag_category: str  # "administration" | "enforcement" | "service"

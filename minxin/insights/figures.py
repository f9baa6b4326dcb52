"""Plain arithmetic over ticket figures: the wait histogram, sums of rows, rates and percentiles.

Rates and minutes are `Decimal`, rounded half-up to one decimal place (percentages) or one decimal of a
minute (waits): the rule the reports print.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

# Wait bins in seconds: a minute wide up to an hour, five minutes up to three hours, a quarter of an hour
# up to eight hours, then one open bin. p90 is read from these bins (linear within a bin), so it is exact
# to the minute for the waits halls have and never needs the raw waits.
WAIT_BIN_EDGES: tuple[int, ...] = (
    tuple(range(0, 3600, 60)) + tuple(range(3600, 10800, 300)) + tuple(range(10800, 28800 + 1, 900))
)
WAIT_BINS = len(WAIT_BIN_EDGES)  # the last bin is open: 8 hours and more
ONE_DECIMAL = Decimal("0.1")

FIGURE_FIELDS = (
    "issued",
    "served",
    "no_show",
    "cancelled",
    "transferred",
    "remote",
    "waited",
    "wait_seconds",
    "forecast_count",
    "forecast_seconds",
    "service_count",
    "service_seconds",
)


ROW_FIELDS = (*FIGURE_FIELDS, "wait_max_seconds", "windows", "wait_hist")


def wait_bin(seconds: float) -> int:
    return max(0, bisect.bisect_right(WAIT_BIN_EDGES, seconds) - 1)


def hist_merge(target: list[int], other: Sequence[int]) -> list[int]:
    if not other:
        return target
    if len(target) < len(other):
        target.extend([0] * (len(other) - len(target)))
    target[: len(other)] = map(operator.add, target, other)  # pairs up to the shorter: `other`
    return target


def hist_percentile(hist: Sequence[int], fraction: float) -> float | None:
    """The `fraction` quantile in seconds, linear within its bin; None for an empty histogram."""
    total = sum(hist)
    if total == 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for index, count in enumerate(hist):
        if count and seen + count >= rank:
            low = WAIT_BIN_EDGES[index]
            high = WAIT_BIN_EDGES[index + 1] if index + 1 < WAIT_BINS else low + 3600
            return low + (high - low) * (rank - seen) / count
        seen += count
    return None  # pragma: no cover - the ranks always fall in a bin


def minutes(seconds: float | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


class FigureRow(Protocol):
    issued: int
    served: int
    wait_hist: Any
    wait_max_seconds: int
    windows: int


@dataclass(slots=True)
class Figures:
    """A sum of figure rows with the derived numbers people read."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transferred: int = 0
    remote: int = 0
    waited: int = 0
    wait_seconds: int = 0
    forecast_count: int = 0
    forecast_seconds: int = 0
    service_count: int = 0
    service_seconds: int = 0
    wait_max_seconds: int = 0
    windows: int = 0
    wait_hist: list[int] = field(default_factory=list)

    def add(self, row: Any) -> Figures:
        for name in FIGURE_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(row, name))
        self.wait_max_seconds = max(self.wait_max_seconds, row.wait_max_seconds)
        self.windows += row.windows
        hist_merge(self.wait_hist, row.wait_hist or [])
        return self

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> Figures:
        """From a `values_list(*ROW_FIELDS)` tuple: no model instance per row (province pages read
        thousands)."""
        figures = cls(*values[: len(FIGURE_FIELDS)])
        figures.wait_max_seconds, figures.windows, hist = values[len(FIGURE_FIELDS) :]
        figures.wait_hist = list(hist or [])
        return figures

    @classmethod
    def of(cls, rows: Iterable[Any]) -> Figures:
        total = cls()
        for row in rows:
            total.add(row)
        return total

    @property
    def wait_mean(self) -> Decimal | None:
        return minutes(self.wait_seconds / self.waited) if self.waited else None

    @property
    def wait_p90(self) -> Decimal | None:
        return minutes(hist_percentile(self.wait_hist, 0.9))

    @property
    def wait_max(self) -> Decimal | None:
        return minutes(self.wait_max_seconds) if self.waited else None

    @property
    def forecast_mean(self) -> Decimal | None:
        return minutes(self.forecast_seconds / self.forecast_count) if self.forecast_count else None

    @property
    def service_mean(self) -> Decimal | None:
        return minutes(self.service_seconds / self.service_count) if self.service_count else None

    @property
    def no_show_rate(self) -> Decimal | None:
        return percent(self.no_show, self.issued)

    def as_dict(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "wait_mean": text(self.wait_mean),
            "wait_p90": text(self.wait_p90),
            "wait_max": text(self.wait_max),
            "forecast_mean": text(self.forecast_mean),
            "service_mean": text(self.service_mean),
        }

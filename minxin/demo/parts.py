"""The parts of the demo city beyond the halls and their queues, loaded in this order (each may use
what the ones before it made). A part may also define `simulate_step() -> int`, which the worker runs
with the demo simulator."""

from __future__ import annotations

from types import ModuleType

from minxin.demo import appointments, cases, competition, feedback, insights, voting, watch

PARTS: tuple[ModuleType, ...] = (voting, watch, appointments, cases, feedback, competition, insights)

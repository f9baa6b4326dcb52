"""Periodic jobs run by the `worker` command. Each app registers its jobs in AppConfig.ready(); the
worker runs whichever are due. Jobs must be idempotent and claim their rows with conditional
updates, so two workers never do the same work twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[], int]  # returns how many things it did, for the log


_jobs: dict[str, Job] = {}


def register_job(*, name: str, every_seconds: int, run: Callable[[], int]) -> None:
    _jobs[name] = Job(name=name, every_seconds=every_seconds, run=run)


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)

"""Personal data (PIPL): one registry of every app's part of a citizen's data.

Each app that keeps personal data registers, in its `AppConfig.ready()`, from its own
`personal_data.py`:

- an exporter: the citizen's data that app holds, as JSON-ready values (for the "download my data"
  file);
- an eraser: anonymises what may go now and says what is kept and why (an open case, a ballot's
  one-vote hash while its campaign is open or under audit);
- a retention job: the worker clears what has outlived its period (each period is a setting).

Core knows nothing of the apps: a citizen is named by a `Subject` (its keys and keyed hashes), so
the apps on every floor can match their rows without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from minxin.core.jobs import register_job


@dataclass(frozen=True, slots=True)
class Subject:
    """The citizen whose data is exported or erased: their account id, public id and keyed hashes
    (`accounts.personal.keyed_hash`, purposes "phone" and "id_number")."""

    citizen_id: int
    public_id: str
    phone_hash: str
    id_number_hash: str = ""


@dataclass(slots=True)
class Erasure:
    """What an app's eraser did: how many rows it anonymised, and statements of what it keeps and why
    (shown to the citizen as they are; translated strings)."""

    erased: int = 0
    kept: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PersonalDataPart:
    app: str
    label: Any  # a (lazy) translated name shown to the citizen
    export: Callable[[Subject], Any]
    erase: Callable[[Subject], Erasure]
    order: int


_parts: dict[str, PersonalDataPart] = {}


def register_personal_data(
    *,
    app: str,
    label: Any,
    export: Callable[[Subject], Any],
    erase: Callable[[Subject], Erasure],
    retention: Callable[[], int] | None = None,
    retention_every_seconds: int = 3600,
    order: int = 100,
) -> None:
    """Register one app's part. `retention`, if given, becomes the worker job `<app>.personal_data`.
    Erasers run in ascending `order` (accounts, which anonymises the account itself, runs last)."""
    _parts[app] = PersonalDataPart(app=app, label=label, export=export, erase=erase, order=order)
    if retention is not None:
        register_job(name=f"{app}.personal_data", every_seconds=retention_every_seconds, run=retention)


def registered_parts() -> list[PersonalDataPart]:
    return sorted(_parts.values(), key=lambda part: (part.order, part.app))


def personal_data_export(subject: Subject) -> dict[str, Any]:
    """Every registered app's part of the subject's data, keyed by app."""
    return {part.app: part.export(subject) for part in registered_parts()}


def personal_data_erase(subject: Subject) -> list[tuple[PersonalDataPart, Erasure]]:
    """Run every eraser (the caller holds the transaction). Returns each part with what it did."""
    return [(part, part.erase(subject)) for part in registered_parts()]

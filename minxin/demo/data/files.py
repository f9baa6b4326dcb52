"""Reading the demo's data files (TOML, UTF-8) with a clear message for every mistake.

A `Table` is one table of a file together with where it is ("qinhuangdao.toml, item 12 (出生登记)"), so
each typed read below names the file, the entry and the field when the value is missing or of the wrong
kind, and `only` names a field the reader does not know (a misspelt key is an error, not ignored).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


class DataFileError(ValueError):
    """A demo data file is unreadable or holds a value of the wrong kind."""


@dataclass(frozen=True)
class Table:
    values: Mapping[str, object]
    where: str

    def fail(self, message: str) -> DataFileError:
        return DataFileError(f"{self.where}: {message}")

    def only(self, *keys: str) -> Table:
        unknown = sorted(set(self.values) - set(keys))
        if unknown:
            raise self.fail(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(keys)})")
        return self

    def _get(self, key: str, default: object) -> object:
        value = self.values.get(key, default)
        if value is None:
            raise self.fail(f"field {key!r} is missing")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.fail(f"field {key!r} must be text in quotes, not {value!r}")
        return value

    def integer(self, key: str, default: int | None = None) -> int:
        value = self._get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"field {key!r} must be a whole number, not {value!r}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"field {key!r} must be true or false, not {value!r}")
        return value

    def texts(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = self._get(key, default)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"field {key!r} must be a list of texts in quotes, not {value!r}")
        return tuple(value)

    def table(self, key: str) -> Table:
        value = self._get(key, None)
        if not isinstance(value, dict):
            raise self.fail(f"field {key!r} must be a table")
        return Table(value, f"{self.where}, [{key}]")

    def tables(self, key: str, label: str, name: str = "name") -> list[Table]:
        """The array of tables under `key`, each named "<label> <n> (<its name>)" in messages."""
        value = self._get(key, None)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"field {key!r} must be a list of tables ([[{key}]] or {{ … }})")
        return [
            Table(entry, f"{self.where}, {label} {index} ({entry.get(name, '?')})")
            for index, entry in enumerate(value, 1)
        ]


def read(name: str) -> Table:
    """The root table of data file `name` in this folder."""
    path = DATA_DIR / name
    where = f"minxin/demo/data/{name}"
    try:
        with path.open("rb") as stream:
            values = tomllib.load(stream)
    except OSError as error:
        raise DataFileError(f"{where}: cannot be read ({error.strerror})") from error
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"{where}: not valid TOML: {error}") from error
    return Table(values, where)

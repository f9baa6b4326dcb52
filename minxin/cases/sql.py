"""Hand-written SQL of the cases app (named parameters only).

The supervision sweep writes the new light and next check of every claimed case in ONE statement: a
VALUES list joined to the table, guarded by the old light and old next check (the claim), returning
the ids it changed. Updating row by row cost a round trip per due case; this keeps a sweep's cost to a
few statements whatever the number of due cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from minxin.cases.models import Case

_TABLE = Case._meta.db_table


@dataclass(frozen=True, slots=True)
class LightWrite:
    case_id: int
    old_light: str
    old_next: dt.datetime | None
    light: str
    yellow_on: dt.date | None
    next_check: dt.datetime | None


def _row_sql(index: int, postgres: bool) -> str:
    names = [
        f"%(id_{index})s",
        f"%(ol_{index})s",
        f"%(on_{index})s",
        f"%(l_{index})s",
        f"%(y_{index})s",
        f"%(n_{index})s",
    ]
    if postgres:
        names = [
            f"{names[0]}::bigint",
            names[1],
            f"{names[2]}::timestamptz",
            names[3],
            f"{names[4]}::date",
            f"{names[5]}::timestamptz",
        ]
    return "(" + ", ".join(names) + ")"


def lights_write(*, rows: Sequence[LightWrite], now: dt.datetime) -> set[int]:
    """Write each row's light, yellow date and next check where the case still has its old light and
    old next check; return the ids written (the others were claimed by another worker)."""
    if not rows:
        return set()
    postgres = connection.vendor == "postgresql"
    ops = connection.ops
    params: dict[str, Any] = {"now": ops.adapt_datetimefield_value(now)}
    for index, row in enumerate(rows):
        params.update(
            {
                f"id_{index}": row.case_id,
                f"ol_{index}": row.old_light,
                f"on_{index}": ops.adapt_datetimefield_value(row.old_next),
                f"l_{index}": row.light,
                f"y_{index}": ops.adapt_datefield_value(row.yellow_on),
                f"n_{index}": ops.adapt_datetimefield_value(row.next_check),
            }
        )
    values = ", ".join(_row_sql(index, postgres) for index in range(len(rows)))
    now_sql = "%(now)s::timestamptz" if postgres else "%(now)s"
    distinct = "IS NOT DISTINCT FROM" if postgres else "IS"
    sql = (
        f"WITH v(id, old_light, old_next, light, yellow_on, next_check) AS (VALUES {values}) "  # noqa: S608
        f"UPDATE {_TABLE} SET light = v.light, yellow_on = v.yellow_on, next_check_at = v.next_check, "
        f"light_changed_at = CASE WHEN v.light <> {_TABLE}.light THEN {now_sql} "
        f"ELSE {_TABLE}.light_changed_at END "
        f"FROM v WHERE {_TABLE}.id = v.id AND {_TABLE}.light = v.old_light "
        f"AND {_TABLE}.next_check_at {distinct} v.old_next RETURNING {_TABLE}.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(row[0]) for row in cursor.fetchall()}

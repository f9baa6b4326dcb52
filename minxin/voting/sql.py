"""The one hand-written statement of the voting app (PostgreSQL): a ballot and its identifiers.

Casting a ballot is the hot path (DESIGN.md performance notes: a statement in autocommit beats a
transaction of ORM round trips by 2–3×). One data-modifying statement inserts the ballot and one
`voting_ballotidentifier` row per identifier, only while the campaign is open for voting; the unique
constraint on (campaign, kind, value_hash) refuses the whole statement when any identifier has voted.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from minxin.voting.models import Ballot, BallotIdentifier, Campaign

_BALLOT = Ballot._meta.db_table
_IDENTIFIER = BallotIdentifier._meta.db_table
_CAMPAIGN = Campaign._meta.db_table

_CAST_TEMPLATE = f"""
WITH c AS (
    SELECT id FROM {_CAMPAIGN}
    WHERE id = %(campaign)s AND state = 'voting' AND opens_at <= %(now)s AND closes_at > %(now)s
),
b AS (
    INSERT INTO {_BALLOT} (campaign_id, public_id, receipt, choices, channel, cast_at, ip_hash, ip_prefix,
        device_hash, entered_by_id, idempotency_hash, quarantine_reason)
    SELECT c.id, %(public_id)s, %(receipt)s, %(choices)s, %(channel)s, %(now)s, %(ip_hash)s, %(ip_prefix)s,
        %(device_hash)s, %(entered_by)s, %(idempotency_hash)s, '' FROM c
    RETURNING id
),
i AS (
    INSERT INTO {_IDENTIFIER} (id, campaign_id, kind, value_hash)
    SELECT v.id, c.id, v.kind, v.value_hash FROM c, (VALUES {{rows}}) AS v(id, kind, value_hash)
)
SELECT id FROM b
"""  # noqa: S608 - table names are constants; every value is a named parameter

_ROW = "(%(id{n})s::uuid, %(kind{n})s, %(hash{n})s)"
_STATEMENTS = {
    count: _CAST_TEMPLATE.replace("{rows}", ", ".join(_ROW.format(n=n) for n in range(count)))
    for count in (1, 2, 3)
}


def ballot_insert(*, params: dict[str, Any], identifiers: list[tuple[str, str, str]]) -> int | None:
    """Insert the ballot and its identifiers (id, kind, hash) in one statement. Returns the ballot's id,
    or None when the campaign is not open for voting. Raises IntegrityError when an identifier has voted
    (or the Idempotency-Key was used), and nothing is written then."""
    values = dict(params)
    for n, (row_id, kind, value_hash) in enumerate(identifiers):
        values |= {f"id{n}": row_id, f"kind{n}": kind, f"hash{n}": value_hash}
    with connection.cursor() as cursor:
        cursor.execute(_STATEMENTS[len(identifiers)], values)
        row = cursor.fetchone()
    return int(row[0]) if row else None


# SQLite has no data-modifying CTE: the same work as two statements in the caller's transaction.
_SQLITE_BALLOT = f"""
INSERT INTO {_BALLOT} (campaign_id, public_id, receipt, choices, channel, cast_at, ip_hash, ip_prefix,
    device_hash, entered_by_id, idempotency_hash, quarantine_reason)
SELECT id, %(public_id)s, %(receipt)s, %(choices)s, %(channel)s, %(now)s, %(ip_hash)s, %(ip_prefix)s,
    %(device_hash)s, %(entered_by)s, %(idempotency_hash)s, ''
FROM {_CAMPAIGN}
WHERE id = %(campaign)s AND state = 'voting' AND opens_at <= %(now)s AND closes_at > %(now)s
"""  # noqa: S608 - table names are constants; every value is a named parameter
_SQLITE_IDENTIFIER = f"INSERT INTO {_IDENTIFIER} (id, campaign_id, kind, value_hash) VALUES (%s, %s, %s, %s)"  # noqa: S608


def ballot_insert_two_statements(*, params: dict[str, Any], identifiers: list[tuple[str, str, str]]) -> bool:
    """SQLite (or inside a caller's transaction): the ballot, then its identifiers; the caller's
    transaction makes them one. Returns False when the campaign is not open for voting."""
    values = dict(params)
    values["public_id"] = values["public_id"].hex  # Django stores UUIDs on SQLite as 32 hex digits
    values["now"] = connection.ops.adapt_datetimefield_value(values["now"])
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_BALLOT, values)
        if cursor.rowcount != 1:
            return False
        cursor.executemany(
            _SQLITE_IDENTIFIER,
            [
                (row_id.replace("-", ""), params["campaign"], kind, value_hash)
                for row_id, kind, value_hash in identifiers
            ],
        )
    return True

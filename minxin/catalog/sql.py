"""Hand-written SQL of the catalog (PostgreSQL full-text search), with named parameters.

The segmented text of each published version (catalog.search) goes into a weighted tsvector with the
'simple' configuration (the words are already segmented; no stemming), indexed by GIN. A query is an OR of
its terms, each as a prefix (so typed pinyin such as "shenf" matches); ranking happens in Python over
the candidates, the same way on both databases."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from minxin.catalog.models import ItemVersion

_TABLE = ItemVersion._meta.db_table

GIN_INDEX_NAME = "catalog_version_search_gin"
CREATE_GIN_INDEX = f"CREATE INDEX IF NOT EXISTS {GIN_INDEX_NAME} ON {_TABLE} USING gin (search_vector)"
DROP_GIN_INDEX = f"DROP INDEX IF EXISTS {GIN_INDEX_NAME}"

_SET_VECTOR = (
    f"UPDATE {_TABLE} SET search_vector = "  # noqa: S608 - constant table name
    "setweight(to_tsvector('simple', %(name)s), 'A') || "
    "setweight(to_tsvector('simple', %(department)s), 'B') || "
    "setweight(to_tsvector('simple', %(body)s), 'C') "
    "WHERE id = %(id)s"
)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def set_search_vector(*, version_id: int, name: str, department: str, body: str) -> None:
    """Write the weighted tsvector of one version (PostgreSQL only; a no-op elsewhere)."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(_SET_VECTOR, {"id": version_id, "name": name, "department": department, "body": body})


def tsquery_text(terms: Sequence[str]) -> str:
    """A raw tsquery (for SearchQuery(search_type="raw", config="simple")): an OR of prefix terms, each
    quoted as a lexeme so no user text is read as an operator."""
    lexemes = []
    for term in terms:
        cleaned = term.replace("'", "").replace("\\", "").replace(":", "").strip()
        if cleaned:
            lexemes.append(f"'{cleaned}':*")
    return " | ".join(lexemes)

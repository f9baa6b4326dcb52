"""PostgreSQL: rebuild each version's tsvector with the endings of its words (search.vector_fields), so a
prefix search finds a word inside a name as the SQLite fallback does. Nothing to do elsewhere."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from minxin.catalog import search, sql

    ItemVersion = apps.get_model("catalog", "ItemVersion")
    for version_id, text in ItemVersion.objects.values_list("pk", "search_text"):
        name, department, body = search.vector_fields(search.Document.from_text(text))
        sql.set_search_vector(version_id=version_id, name=name, department=department, body=body)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_search_defaults_and_index")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Make the audit log append-only in the database itself: UPDATE and DELETE raise an error, whatever
code (or person with a SQL shell through the app's role) tries them."""

from django.db import migrations

from minxin.core.migrations._audit_triggers import (
    POSTGRES_BACKWARD,
    POSTGRES_FORWARD,
    SQLITE_BACKWARD,
    SQLITE_FORWARD,
)


def forward(apps, schema_editor):
    statements = POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = POSTGRES_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DROPPED = [
    ("queueing_ticket_clerk_id_ac0c1dfb", "queueing_ticket", "clerk_id"),
    ("queueing_ticket_hall_id_a72224c8", "queueing_ticket", "hall_id"),
    ("queueing_ticket_lapse_at_549668a7", "queueing_ticket", "lapse_at"),
    ("queueing_ticket_queue_id_991f879a", "queueing_ticket", "queue_id"),
    ("queueing_ticket_return_to_window_id_25e4d09d", "queueing_ticket", "return_to_window_id"),
    ("queueing_ticket_transferred_from_id_e8cf9f4d", "queueing_ticket", "transferred_from_id"),
    ("queueing_ticket_window_id_b9f0f80f", "queueing_ticket", "window_id"),
    ("queueing_ticketevent_window_id_91219541", "queueing_ticketevent", "window_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_windows_in_natural_order"),
        ("orgs", "0001_initial"),
        ("queueing", "0006_drop_queue_calls_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The foreign keys' own indexes go by name: AlterField would also drop every other one-column
        # index on the column, such as the unique queueing_ticket_one_per_window on window_id.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="clerk",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="clerk",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="hall",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="orgs.hall",
                        verbose_name="hall",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="lapse_at",
                    field=models.DateTimeField(blank=True, null=True, verbose_name="lapses at"),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="queue",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="queueing.queue",
                        verbose_name="queue",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="return_to_window",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.window",
                        verbose_name="reserved for window",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="transferred_from",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="queueing.ticket",
                        verbose_name="transferred from",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="window",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="catalog.window",
                        verbose_name="window",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="window",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="catalog.window",
                        verbose_name="window",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}", f"CREATE INDEX {name} ON {table} ({column})"
                )
                for name, table, column in DROPPED
            ],
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status", "reserved")),
                fields=["lapse_at"],
                name="queueing_ticket_lapsing",
            ),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('queueing', '0004_ticket_wait_model'),
    ]

    operations = [
        migrations.AddField(
            model_name='queueday',
            name='last_called',
            field=models.CharField(blank=True, db_default='', max_length=12, verbose_name='last called'),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_moderator_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingmail",
            name="claimed_by",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]

"""One name for who and when on the audit records, as comments' ModerationDecision has them: `actor` and
`created_at`. StatusChange.by and CorrectionChange.changed_by / changed_at are renamed (columns renamed, no
data touched)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_article_search_document"),
    ]

    operations = [
        migrations.RenameField(
            model_name="statuschange",
            old_name="by",
            new_name="actor",
        ),
        migrations.RenameField(
            model_name="correctionchange",
            old_name="changed_by",
            new_name="actor",
        ),
        migrations.RenameField(
            model_name="correctionchange",
            old_name="changed_at",
            new_name="created_at",
        ),
        migrations.AlterModelOptions(
            name="correctionchange",
            options={"ordering": ["created_at", "pk"]},
        ),
    ]

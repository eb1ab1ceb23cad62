from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_desk_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="seo_policy",
            field=models.CharField(
                choices=[
                    ("noindex", "Keep our copy out of search engines (noindex)"),
                    ("canonical_to_original", "Point search engines to the original (canonical link)"),
                    ("own_canonical", "Our copy is canonical (licensed with full rights)"),
                ],
                default="noindex",
                help_text="How our copies of this outlet's stories present themselves to search engines; "
                "only stories whose copy is ours to index go into the sitemaps.",
                max_length=24,
                verbose_name="search engines",
            ),
        ),
    ]

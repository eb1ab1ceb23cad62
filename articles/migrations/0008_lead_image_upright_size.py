from django.db import migrations

import articles.images
import articles.models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_feed_import"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="lead_image",
            field=articles.models.UprightImageField(
                blank=True,
                height_field="lead_image_height",
                upload_to="lead-images/%Y/%m/",
                validators=[articles.images.validate_image],
                width_field="lead_image_width",
            ),
        ),
    ]

# Every new image file now passes through image_safety.prepare_image
# (SafeImageField), and the media gate looks files up by name (an index).
# The column itself is unchanged (varchar(100)); dropping width_field and
# height_field only stops Django from decoding uploads on assignment. On
# SQLite the field change rebuilds media_image, a table of one row per
# uploaded picture; on PostgreSQL it is a no-op.

import masthead.media.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("media", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="image",
            name="file",
            field=masthead.media.models.SafeImageField(upload_to=masthead.media.models.image_path),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["file"], name="image_file_idx"),
        ),
    ]

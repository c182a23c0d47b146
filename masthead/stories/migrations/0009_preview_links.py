"""Preview links as rows, so that they can be listed, revoked and closed.

Links made before this migration were signed tokens (``django.core.signing``)
and stop opening: make new ones from the story's page.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stories', '0008_correction_reinstatement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PreviewLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('selector', models.CharField(max_length=24, unique=True)),
                ('secret_hash', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('closed_reason', models.CharField(blank=True, choices=[('revoked', 'revoked'), ('return', 'the story was returned to its writer'), ('pull_back', 'the writer pulled the story back'), ('unschedule', 'the story was taken off the schedule'), ('withdraw', 'the story was withdrawn')], max_length=12)),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('revision', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='stories.revision')),
                ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='preview_links', to='stories.story')),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
    ]

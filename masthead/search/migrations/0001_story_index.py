"""The story index: ``search_storyentry`` on both databases, plus the engine's words.

On SQLite an FTS5 virtual table ``search_storyfts``; on PostgreSQL a GIN index
on the entries' ``vector`` column (``masthead/search/engines.py`` holds both
statements). A new table: nothing of the stories is rewritten here
(``0002_index_existing_stories`` fills it).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def create_engine_structures(apps, schema_editor):
    from masthead.search.engines import Fts5Engine, PostgresEngine

    engine = PostgresEngine if schema_editor.connection.vendor == "postgresql" else Fts5Engine
    schema_editor.execute(engine.CREATE)


def drop_engine_structures(apps, schema_editor):
    from masthead.search.engines import Fts5Engine, PostgresEngine

    engine = PostgresEngine if schema_editor.connection.vendor == "postgresql" else Fts5Engine
    schema_editor.execute(engine.DROP)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('stories', '0013_sourcing_and_developing'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoryEntry',
            fields=[
                ('story', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='stories.story')),
                ('is_public', models.BooleanField(default=False, help_text='Published or scheduled.')),
                ('live_from', models.DateTimeField(blank=True, help_text='Publication time or embargo end, the later.', null=True)),
                ('status', models.CharField(max_length=12)),
                ('desk_id', models.PositiveIntegerField()),
                ('label_id', models.PositiveIntegerField(blank=True, null=True)),
                ('author_ids', models.CharField(blank=True, help_text="Bylined authors' ids as |3|17|, for the filter.", max_length=1000)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('fresh_at', models.DateTimeField(blank=True, help_text='Last public update (or publication, or last change).', null=True)),
                ('vector', django.contrib.postgres.search.SearchVectorField(blank=True, null=True)),
                ('indexed_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name_plural': 'story entries',
                'indexes': [models.Index(condition=models.Q(('is_public', True)), fields=['-fresh_at', '-story'], name='search_public_fresh_idx'), models.Index(fields=['-fresh_at', '-story'], name='search_fresh_idx')],
            },
        ),
        migrations.RunPython(create_engine_structures, drop_engine_structures),
    ]

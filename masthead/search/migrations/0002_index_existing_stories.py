"""Index the stories that exist when search is installed (the demo's, an outlet's archive).

Batched by id (``masthead/search/indexing.py``), so it runs in flat memory at
any size; at a million stories it takes minutes, which an operator may
instead spend later with ``manage.py search_rebuild`` (docs/search.md):
until then searches find only stories saved since.
"""

from django.db import migrations


def index_existing(apps, schema_editor):
    from masthead.search.indexing import rebuild_index

    rebuild_index(story_model=apps.get_model("stories", "Story"))


class Migration(migrations.Migration):
    dependencies = [("search", "0001_story_index")]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]

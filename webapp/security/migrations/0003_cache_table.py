"""The table of the database cache (settings.CACHES in the embedded default), where the
public pages' and the API's throttles count, shared by every web worker (issue 19).
``createcachetable`` makes only what is missing, and nothing for a Redis cache.
Reversible: backwards it leaves the table (a cache holds nothing worth keeping)."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("security", "0002_audit_chain")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]

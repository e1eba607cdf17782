"""The database's cache table, which production uses as its shared cache when it has no Redis
(settings.CACHES): made by migrate, so a deployment needs no separate `createcachetable`."""

from django.conf import settings
from django.db import migrations


def create_cache_table(apps, schema_editor) -> None:
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.DATABASE_CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor) -> None:
    table = schema_editor.connection.ops.quote_name(settings.DATABASE_CACHE_TABLE)
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_api_tokens_expire_knox")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]

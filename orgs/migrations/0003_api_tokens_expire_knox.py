"""API tokens move from DRF's authtoken (one token a user, never expiring) to django-rest-knox.

The old tokens stop working: their table is dropped, with authtoken's content types,
permissions and migration records, so nothing of the old app is left behind. Users ask
for a new token at /api/auth/token/ (it expires after API_TOKEN_DAYS).
"""

from django.db import migrations


def forget_authtoken(apps, schema_editor) -> None:
    from django.db.migrations.recorder import MigrationRecorder

    alias = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(alias).filter(app_label="authtoken").delete()  # and their permissions
    MigrationRecorder(schema_editor.connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_bounded_dates"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
        migrations.RunPython(forget_authtoken, migrations.RunPython.noop),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from the merge before it: on PostgreSQL a table cannot be altered in the
    # transaction that has just moved rows pointing into it.
    dependencies = [("patrols", "0009_merge_patrols_logged_twice")]

    operations = [
        migrations.AddConstraint(
            model_name="patrol",
            constraint=models.UniqueConstraint(
                fields=("community", "date"), name="patrol_once_per_community_day"
            ),
        ),
    ]

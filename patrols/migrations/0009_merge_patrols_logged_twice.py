from django.db import migrations
from django.db.models import Count

# The most advanced record of a day keeps it: an archived record stays archived.
STATUS_RANK = {"archived": 0, "submitted": 1, "returned": 2, "draft": 3}


def merge_days_logged_twice(apps, schema_editor):
    """Fold each community's second record of a day into the first before the rule holds.

    Team-mates, visits and amendments move to the record that keeps the day. Two
    visits of one establishment on one day cannot be folded without losing one,
    so the migration stops and names them for an administrator to settle.
    """
    Patrol = apps.get_model("patrols", "Patrol")
    PatrolMember = apps.get_model("patrols", "PatrolMember")
    Visit = apps.get_model("patrols", "Visit")
    Amendment = apps.get_model("patrols", "Amendment")
    twice = Patrol.objects.values("community_id", "date").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    for day in twice:
        records = sorted(
            Patrol.objects.filter(community_id=day["community_id"], date=day["date"]),
            key=lambda p: (STATUS_RANK.get(p.status, 9), p.created_at, p.pk),
        )
        keeper, others = records[0], records[1:]
        for other in others:
            visited = set(Visit.objects.filter(patrol=keeper).values_list("establishment_id", flat=True))
            clash = Visit.objects.filter(patrol=other, establishment_id__in=visited)
            if clash.exists():
                raise RuntimeError(
                    f"Patrol records {keeper.pk} and {other.pk} (community {day['community_id']}, "
                    f"{day['date']}) both visit establishments {sorted(clash.values_list('establishment_id', flat=True))}; "
                    "move or remove one of those visits, then migrate again."
                )
            on_team = set(PatrolMember.objects.filter(patrol=keeper).values_list("inspector_id", flat=True))
            PatrolMember.objects.filter(patrol=other).exclude(inspector_id__in=on_team).update(patrol=keeper)
            Visit.objects.filter(patrol=other).update(patrol=keeper)
            Amendment.objects.filter(patrol=other).update(patrol=keeper)
            other.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("patrols", "0008_establishment_change_proposal"),
    ]

    operations = [
        migrations.RunPython(merge_days_logged_twice, migrations.RunPython.noop),
    ]

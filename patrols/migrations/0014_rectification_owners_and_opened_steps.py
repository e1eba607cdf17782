"""Existing safety risks become rectifications: the shop's responsible person as owner, an opened step.

Their severity is the default (minor) given by the field; their deadline stays as it was.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    Finding = apps.get_model("patrols", "Finding")
    Establishment = apps.get_model("patrols", "Establishment")
    RectificationStep = apps.get_model("patrols", "RectificationStep")
    risks = Finding.objects.filter(kind="safety_risk")
    shop = Establishment.objects.filter(pk=OuterRef("establishment_id"))
    risks.update(
        owner_name=Subquery(shop.values("legal_representative")[:1]),
        owner_phone=Subquery(shop.values("phone")[:1]),
    )
    batch = []
    for pk, found_at in risks.values_list("pk", "created_at").iterator(chunk_size=2000):
        batch.append(RectificationStep(finding_id=pk, kind="opened", at=found_at))
        if len(batch) >= 2000:
            RectificationStep.objects.bulk_create(batch)
            batch = []
    RectificationStep.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("patrols", "0013_finding_severity_and_rectification")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

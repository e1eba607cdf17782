"""Recompute every establishment's next due date from the due-for-a-visit rule (patrols.schedule).

Run it after the intervals of the rule change. It reads each establishment's risk class,
tightening, list and last visit, writes the dates that differ, and is safe to run twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from patrols.models import Establishment

BATCH = 2000


class Command(BaseCommand):
    help = "Recompute every establishment's next visit due date from the current due-for-a-visit rule."

    def handle(self, *args, **options) -> None:
        checked = changed = 0
        establishments = Establishment.objects.order_by("pk").only(
            "pk",
            "status",
            "registered_on",
            "last_visited_on",
            "risk_class",
            "tightened_interval_months",
            "watch_list",
            "next_visit_due",
        )
        batch: list[Establishment] = []
        for establishment in establishments.iterator(chunk_size=BATCH):
            checked += 1
            due = establishment.compute_next_visit_due()
            if due != establishment.next_visit_due:
                establishment.next_visit_due = due
                batch.append(establishment)
            if len(batch) >= BATCH:
                changed += self._write(batch)
                batch = []
        changed += self._write(batch)
        self.stdout.write(f"Checked {checked} establishments; {changed} next due dates changed.")

    @staticmethod
    def _write(batch: list[Establishment]) -> int:
        with transaction.atomic():
            Establishment.objects.bulk_update(batch, ["next_visit_due"])
        return len(batch)

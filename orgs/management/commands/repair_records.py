"""Find stored dates and times outside the bounds, repair what the record itself can tell, report the rest."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand

from config.repair import records_repair


class Command(BaseCommand):
    help = (
        "List the stored dates and times outside the product's bounds (config/bounds.py); with --fix, "
        "set each to the best value its record gives. Exit status 1 while any is left unrepaired."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fix", action="store_true", help="repair (default: only list)")

    def handle(self, *args, fix: bool = False, **options) -> None:
        found = records_repair(apps=apps, fix=fix)
        for item in found:
            line = str(item) if fix or not item.repaired else str(item).replace("set to", "would be set to")
            self.stdout.write(line)
        left = [item for item in found if not item.repaired]
        done = len(found) - len(left) if fix else 0
        self.stdout.write(
            f"{len(found)} out of range, {done} repaired, {len(left)} left for a person to correct."
        )
        if left or (found and not fix):
            raise SystemExit(1)

"""Find stored dates and times outside the bounds, repair what the record itself can tell, report the rest."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.repair import records_repair


class Command(BaseCommand):
    help = (
        "List the stored dates and times outside the product's bounds (config/bounds.py); with --fix, "
        "set each to the best value its record gives. Fails while any is out of range after the run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fix", action="store_true", help="repair (default: only list)")

    def handle(self, *args, fix: bool = False, **options) -> None:
        with transaction.atomic():
            found = records_repair(apps=apps, fix=fix)
        for item in found:
            self.stdout.write(f"repaired {item}" if fix and item.repaired else f"found {item}")
        left = [item for item in found if not (fix and item.repaired)]
        self.stdout.write(f"{len(found)} out of range, {len(found) - len(left)} repaired, {len(left)} left.")
        if left:
            hint = "" if fix else " Run with --fix to repair what can be."
            raise CommandError(f"{len(left)} stored values are out of range.{hint}", returncode=1)

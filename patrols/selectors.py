"""Read-side figures about the registry, aggregated in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q

from orgs.models import OrgUnit
from patrols import schedule
from patrols.models import FOOD_SERVICE_CATEGORIES, Establishment, Status


def registry_figures(units: Iterable[OrgUnit], *, by: str, on: dt.date) -> dict[int, dict[str, int]]:
    """Per unit id: open establishments, overdue, due soon, food service graded.

    `by` is the lookup from an establishment to the unit that groups it:
    "community" or "community__parent" (a district). One query for all units.
    """
    horizon = on + dt.timedelta(days=schedule.DUE_SOON_DAYS)
    food = Q(category__in=FOOD_SERVICE_CATEGORIES)
    rows = (
        Establishment.objects.filter(**{f"{by}__in": list(units)}, status=Status.OPEN)
        .values(by)
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(next_visit_due__lt=on)),
            due=Count("pk", filter=Q(next_visit_due__gte=on, next_visit_due__lte=horizon)),
            food_service=Count("pk", filter=food),
            food_graded=Count("pk", filter=food & ~Q(food_grade="")),
        )
    )
    return {row[by]: row for row in rows}


def grading_coverage(figures: dict[str, int]) -> int | None:
    """Percentage of open food-service establishments with a quantified grade."""
    if not figures.get("food_service"):
        return None
    return round(100 * figures["food_graded"] / figures["food_service"])

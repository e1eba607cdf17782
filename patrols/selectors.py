"""Read-side figures about the registry, aggregated in the database."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from orgs.models import OrgUnit
from patrols.models import FOOD_SERVICE_CATEGORIES, Establishment, Status, VisitState
from patrols.models.establishments import visit_state_q


def registry_figures(units: Iterable[OrgUnit], *, by: str, on: dt.date) -> dict[int, dict[str, int]]:
    """Per unit id: open establishments, overdue, due soon, food service graded.

    `by` is the lookup from an establishment to the unit that groups it:
    "community" or "community__parent" (a district). One query for all units;
    a unit without open establishments is left out.
    """
    food = Q(category__in=FOOD_SERVICE_CATEGORIES)
    rows = (
        Establishment.objects.filter(**{f"{by}__in": [unit.pk for unit in units]}, status=Status.OPEN)
        .order_by()
        .values(by)
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=visit_state_q(VisitState.OVERDUE, on=on)),
            due=Count("pk", filter=visit_state_q(VisitState.DUE, on=on)),
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


# A grading deadline this close, with coverage still below the target, is at risk.
GRADING_AT_RISK_DAYS = 30


class GradingState(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    MISSED = "missed"


GRADING_STATE_LABELS = {
    GradingState.MET: gettext_lazy("Target met"),
    GradingState.ON_TRACK: gettext_lazy("On track"),
    GradingState.AT_RISK: gettext_lazy("At risk"),
    GradingState.MISSED: gettext_lazy("Missed"),
}


def grading_state(coverage: int | None, target, *, on: dt.date) -> GradingState | None:
    """Where a unit stands against its district's grading deadline (GradingTarget).

    Met once the coverage reaches the target (a unit with no food service has nothing to grade);
    below it: missed after the deadline, at risk within GRADING_AT_RISK_DAYS of it, else on track.
    None when the district has set no deadline.
    """
    if target is None:
        return None
    if coverage is None or coverage >= target.target_percent:
        return GradingState.MET
    if on > target.deadline:
        return GradingState.MISSED
    if (target.deadline - on).days <= GRADING_AT_RISK_DAYS:
        return GradingState.AT_RISK
    return GradingState.ON_TRACK


def grading_status(district: OrgUnit, *, on: dt.date) -> dict:
    """The district's grading coverage (registry_figures, grading_coverage) against its deadline."""
    from patrols.models import GradingTarget

    figures = registry_figures([district], by="community__parent", on=on).get(district.pk, {})
    target = GradingTarget.objects.filter(district=district).first()
    coverage = grading_coverage(figures)
    state = grading_state(coverage, target, on=on)
    return {
        "target": target,
        "coverage": coverage,
        "graded": figures.get("food_graded", 0),
        "food_service": figures.get("food_service", 0),
        "state": state,
        "state_label": GRADING_STATE_LABELS.get(state, ""),
    }


def patrol_days(community_ids: Iterable[int], *, first: dt.date, last: dt.date) -> dict[int, set[dt.date]]:
    """Per community id, the patrolled days between `first` and `last` (Patrol.objects.counted())."""
    from patrols.models import Patrol

    days: dict[int, set[dt.date]] = {cid: set() for cid in community_ids}
    rows = (
        Patrol.objects.counted()
        .filter(community_id__in=list(days), date__gte=first, date__lte=last)
        .values_list("community_id", "date")
        .distinct()
    )
    for community_id, day in rows:
        days[community_id].add(day)
    return days


def month_calendar(
    year: int,
    month: int,
    patrolled: set[dt.date],
    today: dt.date,
    *,
    opened_on: dt.date | None = None,
    closed_on: dt.date | None = None,
) -> list[list[dict]]:
    """Weeks (Monday first) of day cells: the date, whether patrolled, whether a patrol is missing.

    Today is not missed until it has ended: it shows as today, patrolled or not yet. Nor is a day
    before the community opened or after it closed.
    """

    def owed(day: dt.date) -> bool:
        return (
            day.month == month
            and day < today
            and not ((opened_on and day < opened_on) or (closed_on and day > closed_on))
        )

    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "patrolled": day in patrolled,
                    "missing": owed(day) and day not in patrolled,
                    "today": day == today,
                }
                for day in week
            ]
        )
    return weeks


def open_risk_figures(units: Iterable, *, by: str = "community", on: dt.date) -> dict[int, dict[str, int]]:
    """Per unit id: open safety risks and those past their rectification deadline on `on`.

    `by` is the lookup from a finding to the unit that groups it: "community"
    or "community__parent" (a district); `units` are units or their ids. A unit
    without open risks is left out: every reader takes that as 0.
    """
    from patrols.models import Finding, FindingKind, FindingStatus

    # The open risks alone, in the WHERE clause: the partial open-risk index holds just them,
    # instead of every finding the units ever had being read and counted.
    rows = (
        Finding.objects.filter(
            **{f"{by}__in": list(units)}, kind=FindingKind.SAFETY_RISK, status=FindingStatus.OPEN
        )
        .values(by)
        # Counted on columns of the partial open-risk index (not the id): the index alone answers.
        .annotate(
            open_risks=Count("*"),
            overdue_risks=Count("rectification_deadline", filter=Q(rectification_deadline__lt=on)),
        )
    )
    return {row[by]: {"open_risks": row["open_risks"], "overdue_risks": row["overdue_risks"]} for row in rows}

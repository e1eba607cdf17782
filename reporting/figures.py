"""The figures of a monthly report, counted from the records (§6).

What each figure means, how it adds up and where it appears is the figure
catalogue's (reporting.catalogue); this module does the counting. Every
function works on many units at once with a fixed number of queries, so a
district page costs the same for 4 communities or 400. The result is a flat
JSON dict keyed by the catalogue: what a submitted report freezes in
`MonthlyReport.figures`.

Every record counts on the day of the event it records, in Asia/Shanghai: a
patrol record, its visits and their findings on the record's date; a lead
when reported or filed; an incident when it happened; publicity work on its
date. Only counted patrol records (Patrol.objects.counted(): submitted, with
at least one visit) count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import reduce

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone

from orgs.models import OrgUnit
from patrols import schedule
from patrols.models import (
    Establishment,
    Finding,
    FindingKind,
    FindingStatus,
    Incident,
    Lead,
    LeadStatus,
    Patrol,
    PatrolKind,
    RapidTest,
    RapidTestResult,
    RectificationEvidence,
    Status,
    Visit,
    VisitResult,
    WatchList,
    counted_q,
)
from patrols.selectors import open_risk_figures
from publicity.selectors import publicity_figures
from reporting import periods
from reporting.catalogue import (
    CATEGORY_KEYS,
    RISK_KEYS,
    VERSION,
    empty,
    percent,
    total,
    with_rates,
)
from reporting.models import MonthlyReport

__all__ = ["community_figures", "live_figures", "monthly_trend", "percent", "total"]


def community_figures(communities: Iterable[OrgUnit], period: dt.date, *, on: dt.date) -> dict[int, dict]:
    """Per community id, the figures of `period`; `on` is the day open risks are judged overdue."""
    communities = list(communities)
    ids = [c.pk for c in communities]
    first, last = period, periods.period_last_day(period)
    result = {c.pk: empty() for c in communities}
    for community in communities:
        result[community.pk]["days"] = periods.days_existed(community.opened_on, community.closed_on, period)

    _add_patrols(result, ids, first, last)
    _add_visits(result, ids, first, last)
    _add_coverage(result, [c.pk for c in communities if result[c.pk]["days"]], first, last)
    _add_findings(result, ids, first, last, on)
    _add_rectifications(result, ids, period)
    _add_leads(result, ids, period)
    _add_incidents(result, ids, period)
    _add_rapid_tests(result, ids, period)
    for community_id, publicity in publicity_figures(ids, first, last).items():
        result[community_id].update(publicity)
    return {pk: with_rates(figures) for pk, figures in result.items()}


def live_figures(communities: Iterable[OrgUnit], period: dt.date, *, on: dt.date) -> dict[int, dict]:
    """`community_figures` for the pages that show unsubmitted months (dashboards, exports).

    A month that ended before `on` is kept per community (see `kept`); the current month is
    counted each time.
    """
    by_pk = {c.pk: c for c in communities}
    ended = period < periods.period_of(on)
    prefix = f"reporting:figures:{VERSION}"
    keys = {pk: f"{prefix}:{pk}:{period:%Y-%m}:{on:%Y-%m-%d}" for pk in by_pk} if ended else {}
    return kept(list(by_pk), keys, lambda pks: community_figures([by_pk[pk] for pk in pks], period, on=on))


# The figures counting the records of one kind (the daily patrol is every record's figure).
KIND_FIGURES = {
    "night_checks": PatrolKind.NIGHT,
    "campaign_checks": PatrolKind.CAMPAIGN,
    "joint_checks": PatrolKind.JOINT,
    "holiday_checks": PatrolKind.HOLIDAY,
}


def _add_patrols(result: dict, ids: list[int], first: dt.date, last: dt.date) -> None:
    rows = (
        Patrol.objects.counted()
        .filter(community_id__in=ids, date__range=(first, last))
        .values("community_id")
        .annotate(
            days=Count("date", distinct=True),
            patrols=Count("pk"),
            **{key: Count("pk", filter=Q(kind=kind)) for key, kind in KIND_FIGURES.items()},
        )
    )
    for row in rows:
        result[row["community_id"]]["patrol_days"] = row["days"]
        result[row["community_id"]]["patrols"] = row["patrols"]
        for key in KIND_FIGURES:
            result[row["community_id"]][key] = row[key]


def _add_visits(result: dict, ids: list[int], first: dt.date, last: dt.date) -> None:
    rows = (
        Visit.objects.counted()
        .filter(patrol__community_id__in=ids, patrol__date__range=(first, last))
        .values("patrol__community_id")
        .annotate(
            visits=Count("pk"),
            issues=Count("pk", filter=Q(result=VisitResult.ISSUES)),
            signed=Count("pk", filter=Q(shop_signed_at__isnull=False)),
            refused=Count("pk", filter=Q(shop_refused_at__isnull=False)),
        )
    )
    for row in rows:
        figures = result[row["patrol__community_id"]]
        figures["visits"] = row["visits"]
        figures["visits_with_issues"] = row["issues"]
        figures["visit_records_signed"] = row["signed"]
        figures["visit_records_refused"] = row["refused"]


def _add_coverage(result: dict, ids: list[int], first: dt.date, last: dt.date) -> None:
    """Three queries: the establishments; in one pass over their counted visits from
    schedule.visits_matter_from to the month's end, each one's last visit before the month and
    whether it was visited in it; and which of those registered since then had a visit earlier.
    A month's coverage so reads the same rows whatever the length of the history.

    `ids` are the communities that existed in the month: one that did not owes no visits in it.
    """
    open_in_month = Establishment.objects.filter(
        community_id__in=ids, status=Status.OPEN, registered_on__lte=last
    )
    establishments = list(
        open_in_month.values_list(
            "pk", "community_id", "risk_class", "tightened_interval_months", "watch_list", "registered_on"
        )
    )
    since = schedule.visits_matter_from(first)
    last_before, visited = {}, set()
    for establishment_id, last_date, in_month in (
        Visit.objects.counted()
        .filter(establishment__community_id__in=ids, patrol__date__range=(since, last))
        .values("establishment_id")
        .annotate(
            last=Max("patrol__date", filter=Q(patrol__date__lt=first)),
            # The patrol column, not the primary key: the visits are read from their
            # (patrol, establishment) index alone.
            in_month=Count("patrol", filter=Q(patrol__date__gte=first)),
        )
        .order_by()
        .values_list("establishment_id", "last", "in_month")
    ):
        if last_date is not None:
            last_before[establishment_id] = last_date
        if in_month:
            visited.add(establishment_id)
    # A visit before `since` makes an establishment due in the month, as a registration before it
    # does. Only one registered since then (its date corrected later) can hide such a visit.
    for pk in (
        Visit.objects.counted()
        .filter(establishment__in=open_in_month.filter(registered_on__gte=since), patrol__date__lt=since)
        .values_list("establishment_id", flat=True)
        .distinct()
    ):
        last_before.setdefault(pk, since - dt.timedelta(days=1))
    for pk, community_id, risk, tightened, watch_list, registered in establishments:
        due = schedule.next_visit_due(
            last_visited=last_before.get(pk),
            registered=registered,
            risk_class=risk,
            tightened_months=tightened,
            black_listed=watch_list == WatchList.BLACK,
        )
        if due > last:
            continue
        figures = result[community_id]
        due_key, covered_key = RISK_KEYS[risk]
        figures["due"] += 1
        figures[due_key] += 1
        if pk in visited:
            figures["covered"] += 1
            figures[covered_key] += 1


def _add_findings(result: dict, ids: list[int], first: dt.date, last: dt.date, on: dt.date) -> None:
    in_month = Finding.objects.filter(
        counted_q("visit__patrol__"), community_id__in=ids, visit__patrol__date__range=(first, last)
    )
    rows = in_month.values("community_id", "category").annotate(
        total=Count("pk"),
        rectified=Count("pk", filter=Q(status=FindingStatus.CLOSED)),
        open=Count("pk", filter=Q(status=FindingStatus.OPEN)),
        reported=Count("pk", filter=Q(status=FindingStatus.REPORTED)),
    )
    for row in rows:
        figures = result[row["community_id"]]
        figures[CATEGORY_KEYS[row["category"]]] = row["total"]
        figures["findings"] += row["total"]
        figures["rectified"] += row["rectified"]
        figures["open"] += row["open"]
        figures["reported"] += row["reported"]
    for community_id, risks in open_risk_figures(ids, on=on).items():
        result[community_id].update(risks)


def _add_rectifications(result: dict, ids: list[int], period: dt.date) -> None:
    """Risks closed in the month with a photo of the fix, dated by the close: the work of the month,
    whenever the risk was found."""
    start, end = periods.month_bounds(period)
    rows = (
        Finding.objects.filter(
            community_id__in=ids,
            kind=FindingKind.SAFETY_RISK,
            status=FindingStatus.CLOSED,
            closed_at__gte=start,
            closed_at__lt=end,
        )
        .filter(Exists(RectificationEvidence.objects.filter(finding=OuterRef("pk"))))
        .values("community_id")
        .annotate(closed=Count("pk"))
    )
    for row in rows:
        result[row["community_id"]]["rectified_with_evidence"] = row["closed"]


def _add_leads(result: dict, ids: list[int], period: dt.date) -> None:
    start, end = periods.month_bounds(period)
    in_month = Q(reported_at__gte=start, reported_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end)
    rows = (
        # Only the month's leads are read, not every lead the communities ever had.
        Lead.objects.filter(in_month, community_id__in=ids)
        .values("community_id")
        .annotate(
            reported=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end)),
            filed=Count("pk", filter=Q(status=LeadStatus.FILED, closed_at__gte=start, closed_at__lt=end)),
        )
    )
    for row in rows:
        result[row["community_id"]]["leads_reported"] = row["reported"]
        result[row["community_id"]]["leads_filed"] = row["filed"]


def _add_incidents(result: dict, ids: list[int], period: dt.date) -> None:
    start, end = periods.month_bounds(period)
    rows = (
        Incident.objects.filter(community_id__in=ids, occurred_at__gte=start, occurred_at__lt=end)
        .values("community_id")
        .annotate(incidents=Count("pk"), late=Count("pk", filter=Q(first_report_late=True)))
    )
    for row in rows:
        result[row["community_id"]]["incidents"] = row["incidents"]
        result[row["community_id"]]["incidents_late"] = row["late"]


def _add_rapid_tests(result: dict, ids: list[int], period: dt.date) -> None:
    """Batches tested at visits of counted records, by when they were tested."""
    start, end = periods.month_bounds(period)
    rows = (
        RapidTest.objects.filter(
            counted_q("visit__patrol__"), community_id__in=ids, tested_at__gte=start, tested_at__lt=end
        )
        .values("community_id")
        .annotate(tests=Count("pk"), positive=Count("pk", filter=Q(result=RapidTestResult.POSITIVE)))
    )
    for row in rows:
        result[row["community_id"]]["rapid_tests"] = row["tests"]
        result[row["community_id"]]["rapid_tests_positive"] = row["positive"]


def district_own_figures(district_ids: Iterable[int], period: dt.date) -> dict[int, dict]:
    """Per district id, the month's figures of the district's own work, which no community reports:
    the batches tested in its rapid-test room, by when they were tested. One query."""
    return room_rapid_tests(district_ids, *periods.month_bounds(period))


def room_rapid_tests(district_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> dict[int, dict]:
    """Per district id, the batches its test room tested from `start` to before `end`, and the positive
    ones (the test-room page asks it for a month and for the year to date)."""
    result = {pk: {"room_rapid_tests": 0, "room_rapid_tests_positive": 0} for pk in district_ids}
    rows = (
        RapidTest.objects.filter(district_id__in=list(result), tested_at__gte=start, tested_at__lt=end)
        .values("district_id")
        .annotate(tests=Count("pk"), positive=Count("pk", filter=Q(result=RapidTestResult.POSITIVE)))
    )
    for row in rows:
        result[row["district_id"]].update(
            room_rapid_tests=row["tests"], room_rapid_tests_positive=row["positive"]
        )
    return result


# A month that is over changes rarely (a late record, an amendment), yet its figures cost a month
# of visits and findings to count (its trend values, those of the communities without a report):
# they are kept this long, so a burst of dashboard views counts them once. The current month is
# always counted live.
# The one speed device the bench (#24) kept: counted on every view, the city dashboard of the
# 200-community scale city costs 550 ms (target p95 <= 300 ms at 10x the busiest hour), the district's
# 100 ms; with the ended months kept, 35 ms and 20 ms (python -m bench, README "Speed devices").
ENDED_MONTH_CACHE_SECONDS = 10 * 60


def monthly_trend(
    communities: Iterable[OrgUnit], months: list[dt.date], *, today: dt.date | None = None
) -> list[dict]:
    """Per month (oldest first): the patrol-day rate, visits and findings of these communities together.

    A community's month is counted as the roll-up shows it (reporting.rollup, rule 1): its submitted
    report's frozen figures, or else its figures counted live from the records. So a month's bar
    is the sum of the rows the dashboard lists for that month, and a record changed after the
    report was submitted changes neither.

    Of each community only `pk`, `opened_on` and `closed_on` are read: units or rows of them.
    Months before the one `today` is in come from the cache when it has them; the rest cost four
    queries for any number of communities and months, which read the frozen numbers of the
    reports and the records of only the community months without one.
    """
    communities = list(communities)
    current = periods.period_of(today or timezone.localdate())
    prefix = f"reporting:trend:{VERSION}:{units_digest(c.pk for c in communities)}"
    keys = {month: f"{prefix}:{month:%Y-%m}" for month in months if month < current}
    counts = kept(months, keys, lambda todo: _trend_counts(communities, todo))
    # Communities mostly share their opening and closing dates: each pair is counted once per month.
    lifetimes = Counter((c.opened_on, c.closed_on) for c in communities)
    trend = []
    for month in months:
        days = sum(n * periods.days_existed(*lifetime, month) for lifetime, n in lifetimes.items())
        patrol_days, visits, findings = counts[month]
        trend.append(
            {
                "period": month,
                "patrol_day_rate": percent(patrol_days, days),
                "visits": visits,
                "findings": findings,
            }
        )
    return trend


def kept(
    items: list, keys: dict, count: Callable[[list], dict], *, timeout: int = ENDED_MONTH_CACHE_SECONDS
) -> dict:
    """Per item, what `count(items)` gives; for the items with a cache key (those of ended months)
    it is taken from the cache when there, and kept `timeout` seconds when counted."""
    cached = cache.get_many(list(keys.values())) if keys else {}
    result = {item: cached[keys[item]] for item in items if item in keys and keys[item] in cached}
    todo = [item for item in items if item not in result]
    if todo:
        fresh = count(todo)
        cache.set_many({keys[item]: fresh[item] for item in todo if item in keys}, timeout)
        result.update(fresh)
    return result


# The figures a trend draws, as a report freezes them.
TREND_KEYS = ("patrol_days", "visits", "findings")


def _reported_counts(
    ids: list[int], months: list[dt.date]
) -> tuple[set[tuple[int, dt.date]], dict[dt.date, tuple[int, int, int]]]:
    """The (community id, month) pairs with a submitted report, and per month the sum of their
    frozen TREND_KEYS. One query, reading those three numbers of each snapshot, not the whole."""
    pairs = set()
    sums = defaultdict(lambda: (0, 0, 0))
    rows = (
        MonthlyReport.objects.submitted()
        .filter(unit_id__in=ids, period__in=months)
        .order_by()
        .values_list("unit_id", "period", *(KT(f"figures__{key}") for key in TREND_KEYS))
    )
    for unit_id, period, *numbers in rows:
        pairs.add((unit_id, period))
        sums[period] = tuple(a + int(n or 0) for a, n in zip(sums[period], numbers, strict=True))
    return pairs, sums


def units_digest(ids: Iterable[int]) -> str:
    """A short name for a set of units in a cache key (the ids can be thousands long), equal for
    equal sets."""
    return hashlib.sha1(",".join(map(str, sorted(ids))).encode(), usedforsecurity=False).hexdigest()


def _trend_counts(communities: list, months: list[dt.date]) -> dict[dt.date, tuple[int, int, int]]:
    """Per month: (patrol days, visits, findings) of the communities, each month of each community
    as its submitted report froze them or else counted live. Four queries."""
    reported, counts = _reported_counts([c.pk for c in communities], months)
    live = {
        month: [
            c.pk
            for c in communities
            if (c.pk, month) not in reported and periods.existed_in(c.opened_on, c.closed_on, month)
        ]
        for month in months
    }
    live = {month: ids for month, ids in live.items() if ids}
    if live:
        for month, live_counts in _live_counts(live).items():
            counts[month] = tuple(a + b for a, b in zip(counts[month], live_counts, strict=True))
    return {month: counts[month] for month in months}


def _live_counts(live: dict[dt.date, list[int]]) -> dict[dt.date, tuple[int, int, int]]:
    """Per month: (patrol days, visits, findings) of its communities in `live`, counted as
    community_figures counts them. Three queries for any number of months, each reading only
    the records of those communities in those months."""

    def of_live(community: str, date: str) -> Q:
        return reduce(
            operator.or_,
            (
                Q(**{f"{community}__in": ids, f"{date}__range": (month, periods.period_last_day(month))})
                for month, ids in live.items()
            ),
        )

    counts = defaultdict(lambda: [0, 0, 0])
    by_community_and_month = (
        (Patrol.objects.counted(), "community_id", "date", Count("date", distinct=True)),
        # The patrol column, not the primary key: read from the (patrol, establishment) index alone.
        (Visit.objects.counted(), "patrol__community_id", "patrol__date", Count("patrol")),
        # Through the records, not the findings' own community: the visits are then reached by
        # their records' index, not read whole to join the findings to their dates.
        (
            Finding.objects.filter(
                counted_q("visit__patrol__"),
                visit__patrol__in=Patrol.objects.filter(of_live("community_id", "date")),
            ),
            "visit__patrol__community_id",
            "visit__patrol__date",
            Count("visit"),
        ),
    )
    for index, (queryset, community, date, count) in enumerate(by_community_and_month):
        rows = (
            queryset.filter(of_live(community, date))
            .annotate(month=TruncMonth(date))
            # Per community: a patrol day is a day of one community's.
            .values(community, "month")
            .annotate(n=count)
            .order_by()
            .values_list("month", "n")
        )
        for month, n in rows:
            counts[month][index] += n
    return {month: tuple(counts[month]) for month in live}

"""The figures an assessment takes from the records (§9), and the records behind each.

No formula is written here twice: a unit's figures are the monthly report's
(reporting.figures) added up over the months assessed, report timeliness is
the reporting dashboard's on-time rate (reporting.selectors.reporting_rates),
and the quarterly slogan rule is publicity.selectors.publicity_figures'. Only
the personal figures of an inspector (patrol days and visits they took part
in, leads they reported) and of a volunteer (the publicity work they logged)
are counted here, since no other page counts them.

Each metric gives a `Figure`: the numbers, a rate from 0 to 100 that scales
the item's points (None when the records cannot say, and the assessor scores
it), a description of the records in Chinese, and a link to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, Sum
from django.urls import reverse

from assessment.models import LEAD_TARGETS, VOLUNTEER_PUBLICITY_PER_MONTH, Assessment, Metric, Tier
from orgs.models import OrgUnit, User
from patrols.models import Lead, LeadStatus, Patrol, PatrolMember, Reward, Visit
from publicity import training
from publicity.models import Activity, BoardUpdate, BrochureDrop, TrainingSession
from reporting import catalogue, periods
from reporting.rollup import unit_months
from reporting.selectors import reporting_rates


@dataclass
class Figure:
    values: dict = field(default_factory=dict)
    rate: int | None = None
    source: str = ""
    url: str = ""

    def as_json(self) -> dict:
        return {**self.values, "rate": self.rate}


def assessed_months(year: int, today: dt.date) -> list[dt.date]:
    """The months of `year` that have ended by `today`: in December, January to November."""
    return [
        dt.date(year, month, 1)
        for month in range(1, 13)
        if periods.period_last_day(dt.date(year, month, 1)) < today
    ]


def months_label(months: list[dt.date]) -> str:
    if not months:
        return "本年度尚无完整月份"
    return f"{months[0].year}年{months[0].month}–{months[-1].month}月"


def points_for(points: Decimal, rate: int | None) -> Decimal | None:
    """The share of an item's points that a rate earns, to one decimal."""
    if rate is None:
        return None
    rate = max(0, min(rate, 100))
    return (points * rate / 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _target_rate(count: int, target: int) -> int:
    return min(100, catalogue.percent(count, target) or 0)


def _communities(unit: OrgUnit) -> list[OrgUnit]:
    if unit.kind == "community":
        return [unit]
    return list(OrgUnit.objects.communities().filter(parent=unit).order_by("path"))


def _archive_url(unit: OrgUnit, months: list[dt.date]) -> str:
    month = f"&month={months[-1]:%Y-%m}" if months else ""
    return f"{reverse('reporting:archive')}?unit={unit.pk}{month}"


def _time_range(months: list[dt.date]) -> tuple[dt.datetime, dt.datetime]:
    return periods.month_bounds(months[0])[0], periods.month_bounds(months[-1])[1]


def unit_year(unit: OrgUnit, months: list[dt.date], *, now: dt.datetime) -> dict:
    """A unit's figures over `months`: each month's as its roll-up shows it (the frozen report where
    submitted, else the provisional figures), added up as the catalogue says."""
    by_month = [unit_months([unit], month, now=now, year_months=[month])[0].figures for month in months]
    return catalogue.total_over_months(months, by_month)


def _label(key: str) -> str:
    return str(catalogue.BY_KEY[key].label)


def _months_existed(communities: list[OrgUnit], months: list[dt.date]) -> int:
    return sum(
        1 for c in communities for month in months if periods.existed_in(c.opened_on, c.closed_on, month)
    )


# Which groups of the figure catalogue each metric speaks for. Besides the figures its rule is
# made of, a metric's description lists every other figure of its groups that the catalogue shows
# in the assessment (catalogue.ASSESSMENT), so a new kind of work marked for the assessment is
# prefilled without being listed here.
METRIC_GROUPS = {
    Metric.PATROL_DAY_RATE: ("patrol",),
    Metric.COVERAGE_RATE: ("coverage",),
    Metric.RECTIFICATION_RATE: ("findings", "rapid_tests"),
    Metric.LEADS: ("leads",),
    Metric.PUBLICITY: ("publicity",),
}


def also_shown(metric: str, stated: tuple[str, ...]) -> list[str]:
    """The keys of the counted figures of the metric's groups marked for the assessment, other than
    the `stated` ones its rule is made of, in the catalogue's order."""
    groups = METRIC_GROUPS[metric]
    return [
        figure.key
        for figure in catalogue.FIGURES
        if figure.group in groups
        and catalogue.ASSESSMENT in figure.outputs
        and figure.kind != catalogue.RATE
        and figure.key not in stated
    ]


def _with_also(figure: Figure, metric: str, stated: tuple[str, ...], totals: dict) -> Figure:
    keys = also_shown(metric, stated)
    if keys:
        figure.values.update({key: totals[key] for key in keys})
        figure.source += "，" + "，".join(f"{_label(key)} {totals[key]}" for key in keys)
    return figure


def unit_figures(unit: OrgUnit, months: list[dt.date], *, now: dt.datetime) -> dict[str, Figure]:
    """The record-derived figures of a district or a community over `months`, per metric."""
    communities = _communities(unit)
    totals = unit_year(unit, months, now=now)
    label, archive = months_label(months), _archive_url(unit, months)
    result = {
        Metric.PATROL_DAY_RATE: _with_also(
            Figure(
                {"patrol_days": totals["patrol_days"], "days": totals["days"]},
                totals["patrol_day_rate"],
                f"{label}：{_label('patrol_days')} {totals['patrol_days']} / "
                f"{_label('days')} {totals['days']}",
                archive,
            ),
            Metric.PATROL_DAY_RATE,
            ("patrol_days", "days"),
            totals,
        ),
        Metric.COVERAGE_RATE: _with_also(
            Figure(
                {"covered": totals["covered"], "due": totals["due"]},
                totals["coverage_rate"],
                f"{label}：{_label('due')} {totals['due']}，{_label('covered')} {totals['covered']}",
                archive,
            ),
            Metric.COVERAGE_RATE,
            ("covered", "due"),
            totals,
        ),
        Metric.RECTIFICATION_RATE: _with_also(
            Figure(
                {"rectified": totals["rectified"], "findings": totals["findings"]},
                totals["rectification_rate"],
                f"{label}：{_label('findings')} {totals['findings']}，"
                f"{_label('rectified')} {totals['rectified']}",
                archive,
            ),
            Metric.RECTIFICATION_RATE,
            ("rectified", "findings"),
            totals,
        ),
        Metric.LEADS: _with_also(
            Figure(
                {"reported": totals["leads_reported"], "filed": totals["leads_filed"]},
                _target_rate(totals["leads_reported"], LEAD_TARGETS[unit.kind]) if months else None,
                f"{label}：{_label('leads_reported')} {totals['leads_reported']}，"
                f"{_label('leads_filed')} {totals['leads_filed']}（全年目标 {LEAD_TARGETS[unit.kind]} 条）",
                f"{reverse('patrols:lead_list')}",
            ),
            Metric.LEADS,
            ("leads_reported", "leads_filed"),
            totals,
        ),
    }
    rates = reporting_rates([unit], months, now=now)[unit.pk]
    result[Metric.REPORT_TIMELINESS] = Figure(
        {"expected": rates.expected, "submitted": rates.submitted, "on_time": rates.on_time},
        rates.on_time_rate,
        f"{label}应报月报 {rates.expected} 份，已报 {rates.submitted} 份，按时 {rates.on_time} 份",
        archive,
    )
    result[Metric.PUBLICITY] = _publicity(communities, months, totals, label, archive)
    return result


def _publicity(communities, months, totals, label: str, archive: str) -> Figure:
    """Months the bulletin column was updated, and quarters the slogans were, against what was owed:
    only the months (and quarters) in which each community existed are owed. Then every other
    publicity figure the catalogue shows in the assessment (activities, brochures, training hours,
    drills)."""
    quarter_ends = [month for month in months if month.month % 3 == 0]
    slogans = totals["slogan_met"]
    bulletins = totals["bulletin_met"]
    owed = _months_existed(communities, months) + _months_existed(communities, quarter_ends)
    return _with_also(
        Figure(
            {"bulletin_months": bulletins, "slogan_quarters": slogans, "owed": owed},
            catalogue.percent(bulletins + slogans, owed),
            f"{label}：{_label('bulletin_met')} {bulletins}、"
            f"{_label('slogan_met')} {slogans}（应 {owed} 次）",
            archive,
        ),
        Metric.PUBLICITY,
        ("bulletin_met", "slogan_met"),
        totals,
    )


def inspector_figures(inspector: User, months: list[dt.date], *, now: dt.datetime) -> dict[str, Figure]:
    """An inspector's own share of their community's patrolling, and the leads they reported."""
    community = inspector.org_unit
    today = now.astimezone(periods.local_zone()).date()
    label = months_label(months)
    team = unit_year(community, months, now=now)
    if months:
        first, last = months[0], periods.period_last_day(months[-1])
        start, end = _time_range(months)
    else:
        first, last = today, today - dt.timedelta(days=1)
        start = end = now
    days = (
        PatrolMember.objects.filter(
            inspector=inspector, patrol__in=Patrol.objects.counted(), patrol__date__range=(first, last)
        )
        .values("patrol__date")
        .distinct()
        .count()
    )
    visits = (
        Visit.objects.counted()
        .filter(patrol__members__inspector=inspector, patrol__date__range=(first, last))
        .count()
    )
    leads = Lead.objects.filter(reporter=inspector).aggregate(
        reported=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end)),
        filed=Count("pk", filter=Q(status=LeadStatus.FILED, closed_at__gte=start, closed_at__lt=end)),
    )
    patrols = f"{reverse('patrols:patrol_list')}?community={community.pk}"
    return {
        Metric.INSPECTOR_PATROL_DAYS: Figure(
            {"days": days, "team_days": team["patrol_days"]},
            catalogue.percent(days, team["patrol_days"]),
            f"{label}参加巡查 {days} 天，社区巡查 {team['patrol_days']} 天",
            patrols,
        ),
        Metric.INSPECTOR_VISITS: Figure(
            {"visits": visits, "team_visits": team["visits"]},
            catalogue.percent(visits, team["visits"]),
            f"{label}参加检查 {visits} 户次，社区检查 {team['visits']} 户次",
            patrols,
        ),
        Metric.INSPECTOR_LEADS: Figure(
            {"reported": leads["reported"], "filed": leads["filed"]},
            _target_rate(leads["reported"], LEAD_TARGETS["inspector"]) if months else None,
            f"{label}本人报送线索 {leads['reported']} 条，立案 {leads['filed']} 条"
            f"（全年目标 {LEAD_TARGETS['inspector']} 条）",
            reverse("patrols:lead_list"),
        ),
    }


def volunteer_figures(volunteer: User, months: list[dt.date]) -> dict[str, Figure]:
    """The publicity work a volunteer logged in the months assessed, against one piece a month."""
    if not months:
        return {Metric.VOLUNTEER_PUBLICITY: Figure({}, None, months_label(months), "")}
    first, last = months[0], periods.period_last_day(months[-1])
    mine = {"created_by": volunteer, "date__range": (first, last)}
    drops = BrochureDrop.objects.filter(**mine).aggregate(n=Count("pk"), households=Sum("households"))
    activities = Activity.objects.filter(**mine).count()
    boards = BoardUpdate.objects.filter(**mine).count()
    done = drops["n"] + activities + boards
    owed = VOLUNTEER_PUBLICITY_PER_MONTH * len(months)
    households = drops["households"] or 0
    return {
        Metric.VOLUNTEER_PUBLICITY: Figure(
            {
                "brochure_drops": drops["n"],
                "brochure_households": households,
                "activities": activities,
                "board_updates": boards,
                "owed": owed,
            },
            _target_rate(done, owed),
            f"{months_label(months)}：本人登记宣传资料发放 {drops['n']} 次（入户 {households} 户）、"
            f"宣传活动 {activities} 次、宣传栏更新 {boards} 次（应不少于 {owed} 次）",
            reverse("publicity:home"),
        )
    }


def training_figure(person: User, months: list[dt.date]) -> Figure:
    """The training sessions, meetings and drills a person was named at in the months assessed, and
    their hours against the yearly hours target their district sets for their audience (publicity's
    TrainingTarget); without such a target the assessor scores the item."""
    label = months_label(months)
    if not months:
        return Figure({}, None, label, "")
    first, last = months[0], periods.period_last_day(months[-1])
    sessions = TrainingSession.objects.filter(date__range=(first, last))
    attended = training.attended_by([person.pk], sessions).get(person.pk, training.NOTHING_ATTENDED)
    hours = f"{attended.hours.normalize():f}"  # "5", "2.5" on either database
    target = training.hours_target(person, months[-1].year)
    rate = min(100, int(attended.hours * 100 / target)) if target else None
    owed = f"（全年目标 {target} 学时）" if target else "（区未设学时目标）"
    return Figure(
        {"sessions": attended.sessions, "hours": hours, "target": target},
        rate,
        f"{label}：本人参加培训、会议和演练 {attended.sessions} 次，共 {hours} 学时{owed}",
        reverse("publicity:training"),
    )


def sample_figure(assessment: Assessment) -> Figure:
    """The mean score of the sampled inspectors checked so far."""
    checks = assessment.checks.aggregate(
        checked=Count("pk", filter=Q(checked_at__isnull=False)),
        drawn=Count("pk"),
        mean=Avg("score", filter=Q(checked_at__isnull=False)),
    )
    mean = checks["mean"]
    rate = round(mean) if mean is not None else None
    return Figure(
        {
            "checked": checks["checked"],
            "drawn": checks["drawn"],
            "mean": float(mean) if mean is not None else None,
        },
        rate,
        f"抽查巡查员 {checks['drawn']} 名，已检查 {checks['checked']} 名"
        + (f"，平均 {mean:.1f} 分" if mean is not None else ""),
        "",
    )


def assessment_figures(
    assessment: Assessment, months: list[dt.date], *, now: dt.datetime
) -> dict[str, Figure]:
    """Every record-derived figure an assessment's sheet may ask for."""
    if assessment.tier == Tier.INSPECTOR:
        result = inspector_figures(assessment.assessee_user, months, now=now)
        result[Metric.PERSON_TRAINING] = training_figure(assessment.assessee_user, months)
        return result
    if assessment.tier == Tier.VOLUNTEER:
        result = volunteer_figures(assessment.assessee_user, months)
        result[Metric.PERSON_TRAINING] = training_figure(assessment.assessee_user, months)
        return result
    result = unit_figures(assessment.assessee_unit, months, now=now)
    if assessment.tier == Tier.COMMUNITY:
        result[Metric.SAMPLE_CHECKS] = sample_figure(assessment)
    return result


def reward_ledger(assessment: Assessment, user):
    """The rewards credited in the assessed year for leads filed as cases, as the user may see them."""
    start = dt.datetime.combine(dt.date(assessment.year, 1, 1), dt.time.min, tzinfo=periods.local_zone())
    end = periods.end_of_day(dt.date(assessment.year, 12, 31))
    rewards = Reward.objects.visible_to(user).filter(credited_at__gte=start, credited_at__lt=end)
    if assessment.assessee_user_id:
        rewards = rewards.filter(reporter=assessment.assessee_user)
    else:
        rewards = rewards.filter(lead__community__path__startswith=assessment.assessee_unit.path)
    return rewards.select_related("lead__community", "reporter").order_by("credited_at", "pk")

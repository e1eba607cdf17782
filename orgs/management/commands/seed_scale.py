"""`manage.py seed_scale`: a city-scale data set for the benchmark (`python -m bench`).

By default 10 districts × 20 communities, 10 inspectors and 100 establishments
per community, and a year of daily patrols with 5 visits each (about 73,000
patrols and 365,000 visits), with findings, leads, incidents, publicity and
the past months' monthly reports in proportion.

Rows are written with bulk inserts, district by district, without going
through the services: the services do one write per row and would take hours.
Everything a service would derive (an establishment's last visit and next due
date, a lead's reward, a report's frozen figures) is computed here set-wise.
Every random choice comes from one generator seeded with --seed, so the same
options build the same city.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from orgs.management.commands.seed_demo import CATEGORY_PLAN, chinese_name, mobile
from orgs.models import OrgUnit, OrgUnitKind, Role, User
from patrols import schedule
from patrols.models import (
    ChecklistTemplate,
    Establishment,
    Finding,
    FindingCategory,
    FindingKind,
    FindingStatus,
    Incident,
    Lead,
    LeadEvent,
    LeadSource,
    LeadStatus,
    Patrol,
    PatrolMember,
    PatrolStatus,
    Reward,
    RiskClass,
    Status,
    Visit,
    VisitResult,
    WatchList,
    is_late_first_report,
)
from publicity.models import (
    Activity,
    BoardKind,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    CollectionBox,
    TrainingSession,
)
from publicity.services import campaign_calendar
from reporting import figures as report_figures
from reporting import periods
from reporting.models import MonthlyReport, ReportAction, ReportEvent, ReportStatus
from reporting.selectors import compile_districts

PASSWORD = "scale12345"
CITY_CODE, CITY_NAME = "5100", "规模测试市"
BATCH = 5000

# Usernames the benchmark logs in with (district and community numbers from 1).
CITY_OFFICER = "scale-city"


def district_code(number: int) -> str:
    return f"{CITY_CODE}{number:02d}"


def community_code(district: int, number: int) -> str:
    return f"{district_code(district)}{number:03d}"


def district_officer_name(district: int) -> str:
    return f"scale-d{district:02d}"


def inspector_name(district: int, community: int, number: int) -> str:
    return f"scale-d{district:02d}c{community:03d}-i{number:02d}"


# How often things happen, per visit, day or month.
ISSUE_RATE = 0.08  # visits with problems found
VIOLATION_SHARE = 0.1  # of findings: suspected violations, reported to the district
SKIPPED_DAY_RATE = 0.03  # days a community does not patrol
# Of a community's establishments: registered lately and not yet on the patrol plan, their
# first visit falling due from two weeks ago to a week from now (the home page's due list).
AWAITING_FIRST_VISIT_SHARE = 0.12
STATUS_WEIGHTS = ((Status.OPEN, 95), (Status.SUSPENDED, 3), (Status.CLOSED, 2))
REPORT_HABITS = (("on_time", 85), ("late", 10), ("missing", 5))
INCIDENTS_PER_DISTRICT_MONTH = 2
PUBLIC_LEADS_PER_COMMUNITY_MONTH = 1
# The share of open risks that the follow-up visit has closed once their deadline passed.
RECTIFIED_SHARE = 0.9


@dataclass
class Size:
    districts: int
    communities: int
    inspectors: int
    establishments: int
    days: int
    visits: int


@contextlib.contextmanager
def historical_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Let bulk inserts keep the past times given instead of `auto_now_add`'s now."""
    saved = [(field, field.auto_now_add) for field in fields]
    for field, _ in saved:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field, value in saved:
            field.auto_now_add = value


def field(model: type[models.Model], name: str) -> models.DateTimeField:
    return model._meta.get_field(name)  # type: ignore[return-value]


def weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=periods.local_zone())


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], periods.period_of(first)
    while month <= last:
        months.append(month)
        month = schedule.add_months(month, 1)
    return months


class CityBuilder:
    """Builds the city one district at a time; `counts` says what was made."""

    def __init__(self, size: Size, seed: int, today: dt.date, stdout) -> None:
        self.size, self.today, self.stdout = size, today, stdout
        self.rng = random.Random(seed)
        self.first_day = today - dt.timedelta(days=size.days)
        self.last_day = today - dt.timedelta(days=1)
        self.password = make_password(PASSWORD)
        self.counts: dict[str, int] = {}
        self.checklists = {
            row.category: row.items for row in ChecklistTemplate.objects.filter(district__isnull=True)
        }
        self.plan = [category for category, count, _names in CATEGORY_PLAN for _ in range(count)]

    def add(self, model: type[models.Model], rows: list, history_user: User | None = None) -> list:
        if history_user is not None:
            created = bulk_create_with_history(rows, model, batch_size=BATCH, default_user=history_user)
        else:
            created = model.objects.bulk_create(rows, batch_size=BATCH)
        name = model._meta.model_name
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return created

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def user(self, username: str, role: str, unit: OrgUnit, certificate_no: str = "") -> User:
        return User(
            username=username,
            password=self.password,
            role=role,
            org_unit=unit,
            full_name=chinese_name(self.rng),
            phone=mobile(self.rng),
            certificate_no=certificate_no,
        )

    # The tree and its people

    def build(self) -> None:
        city = OrgUnit(kind=OrgUnitKind.CITY, code=CITY_CODE, name=CITY_NAME, opened_on=self.first_day)
        city.save()
        self.counts["orgunit"] = 1
        self.city_officer = self.add(User, [self.user(CITY_OFFICER, Role.CITY_OFFICER, city)])[0]
        for year in range(self.first_day.year, self.today.year + 1):
            campaign_calendar(year=year)
        for number in range(1, self.size.districts + 1):
            started = time.monotonic()
            self.build_district(city, number)
            self.stdout.write(
                f"  district {number}/{self.size.districts} in {time.monotonic() - started:.1f}s"
            )
        started = time.monotonic()
        self.build_reports(city)
        self.stdout.write(f"  monthly reports in {time.monotonic() - started:.1f}s")

    def build_district(self, city: OrgUnit, number: int) -> None:
        district = OrgUnit(
            kind=OrgUnitKind.DISTRICT,
            code=district_code(number),
            name=f"第{number}区",
            parent=city,
            opened_on=self.first_day,
        )
        district.save()
        self.counts["orgunit"] += 1
        officer, _liaison = self.add(
            User,
            [
                self.user(district_officer_name(number), Role.DISTRICT_OFFICER, district),
                self.user(f"{district_officer_name(number)}-liaison", Role.DISTRICT_LIAISON, district),
            ],
        )
        communities = []
        for n in range(1, self.size.communities + 1):
            code = community_code(number, n)
            community = OrgUnit(
                kind=OrgUnitKind.COMMUNITY,
                code=code,
                name=f"第{number}区第{n}社区",
                parent=district,
                path=f"{district.path}{code}/",
                address=f"{CITY_NAME}第{number}区{n}号",
                opened_on=self.first_day,
            )
            communities.append(community)
        self.add(OrgUnit, communities)
        work = [self.community_work(number, n, community) for n, community in enumerate(communities, 1)]
        establishments = [e for w in work for e in w.establishments]
        self.add(Establishment, establishments, history_user=officer)
        self.add(Patrol, [p for w in work for p in w.patrols])
        self.add(PatrolMember, [m for w in work for m in w.members])
        self.add(Visit, [v for w in work for v in w.visits])
        self.add(Finding, [f for w in work for f in w.findings])
        self.build_leads(work, officer)
        self.build_incidents(communities, officer)
        self.build_publicity(work)

    def community_work(self, district: int, number: int, community: OrgUnit) -> CommunityWork:
        size = self.size
        inspectors = [
            self.user(
                inspector_name(district, number, n),
                Role.INSPECTOR,
                community,
                f"XC-{community.code}-{n:02d}",
            )
            for n in range(1, size.inspectors + 1)
        ]
        prefix = f"scale-d{district:02d}c{number:03d}"
        staff = [
            self.user(f"{prefix}-head", Role.COMMUNITY_HEAD, community),
            self.user(f"{prefix}-leader", Role.SUPERVISING_LEADER, community),
            self.user(f"{prefix}-info", Role.INFO_OFFICER, community),
        ]
        self.add(User, inspectors + staff)
        work = CommunityWork(community, inspectors, *staff)
        planned = size.establishments - round(size.establishments * AWAITING_FIRST_VISIT_SHARE)
        work.establishments = [
            self.establishment(community, index, awaiting_first_visit=index >= planned)
            for index in range(size.establishments)
        ]
        # The lately registered ones come last and are not on the patrol plan yet.
        self.patrol_year(work, work.establishments[:planned])
        return work

    def establishment(self, community: OrgUnit, index: int, *, awaiting_first_visit: bool) -> Establishment:
        rng = self.rng
        category = self.plan[index % len(self.plan)]
        black = index % 97 == 13 and not awaiting_first_visit
        item = Establishment(
            name=f"{category.label}{community.code[-3:]}-{index + 1:03d}",
            address=f"{community.address}附{index + 1}号",
            licence_no=f"SC{community.code}{index:04d}",
            legal_representative=chinese_name(rng),
            phone=mobile(rng),
            community=community,
            category=category,
            status=weighted(rng, STATUS_WEIGHTS),
            risk_class=RiskClass.A if black else rng.choice("ABBBCC"),
            watch_list=WatchList.BLACK
            if black
            else (WatchList.RED if rng.random() < 0.1 else WatchList.NONE),
            registered_on=self.first_day - dt.timedelta(days=rng.randint(30, 1500)),
        )
        if awaiting_first_visit:
            item.status = Status.OPEN
            first_due = self.today + dt.timedelta(days=rng.randint(-14, 7))
            item.registered_on = schedule.add_months(
                first_due, -schedule.interval_months(item.risk_class, None)
            )
        if item.takes_food_grade and not awaiting_first_visit:
            item.food_grade = rng.choice("ABBC")
            item.food_graded_on = item.registered_on + dt.timedelta(days=rng.randint(10, 200))
        item.refresh_visit_due()
        return item

    # A year of patrols

    def patrol_year(self, work: CommunityWork, planned: list[Establishment]) -> None:
        """Each day the team visits the open establishments that fall due first, and one at random."""
        rng, size = self.rng, self.size
        open_shops = [e for e in planned if e.status == Status.OPEN]
        queue = [(e.next_visit_due, i, e) for i, e in enumerate(open_shops)]
        heapq.heapify(queue)
        inspectors = work.inspectors
        day, k = self.first_day, 0
        while day <= self.last_day:
            if rng.random() >= SKIPPED_DAY_RATE:
                lead, partner = inspectors[k % len(inspectors)], inspectors[(k + 1) % len(inspectors)]
                k += 1
                patrol = self.patrol(work, day, lead)
                work.members += [
                    PatrolMember(patrol=patrol, inspector=lead, certificate_no=lead.certificate_no),
                    PatrolMember(patrol=patrol, inspector=partner, certificate_no=partner.certificate_no),
                ]
                chosen = [heapq.heappop(queue) for _ in range(min(size.visits - 1, len(queue)))]
                if queue and size.visits > 0:
                    extra = queue.pop(rng.randrange(len(queue)))
                    heapq.heapify(queue)
                    chosen.append(extra)
                for n, (_due, i, shop) in enumerate(chosen):
                    self.visit(work, patrol, shop, at(day, 9 + n // 3, (n % 3) * 20 + rng.randint(0, 15)))
                    shop.last_visited_on = day
                    shop.refresh_visit_due()
                    heapq.heappush(queue, (shop.next_visit_due, i, shop))
            day += dt.timedelta(days=1)

    def patrol(self, work: CommunityWork, day: dt.date, lead: User) -> Patrol:
        submitted = at(day, 17, self.rng.randint(0, 59))
        patrol = Patrol(
            client_id=self.uuid(),
            community=work.community,
            date=day,
            created_by=lead,
            created_at=at(day, 8, 30),
            status=PatrolStatus.SUBMITTED,
            submitted_at=submitted,
        )
        # Records more than two days old have been approved by both reviewers and archived.
        if day < self.today - dt.timedelta(days=2):
            approved = submitted + dt.timedelta(days=1)
            patrol.status, patrol.archived_at = PatrolStatus.ARCHIVED, approved
            patrol.head_approved_by, patrol.head_approved_at = work.head, approved
            patrol.leader_approved_by, patrol.leader_approved_at = work.leader, approved
        work.patrols.append(patrol)
        return patrol

    def visit(
        self, work: CommunityWork, patrol: Patrol, shop: Establishment, visited_at: dt.datetime
    ) -> None:
        rng = self.rng
        problem = rng.random() < ISSUE_RATE
        items = self.checklists.get(shop.category, [])
        checklist = [{"item": item, "ok": True, "note": ""} for item in items]
        if problem and checklist:
            checklist[rng.randrange(len(checklist))].update(ok=False, note="现场发现问题")
        visit = Visit(
            client_id=self.uuid(),
            patrol=patrol,
            establishment=shop,
            visited_at=visited_at,
            checklist=checklist,
            result=VisitResult.ISSUES if problem else VisitResult.COMPLIANT,
            findings="冷藏柜温度偏高，部分熟食未加盖" if problem else "",
            action_taken="当场劝导，要求限期整改" if problem else "",
        )
        work.visits.append(visit)
        if problem:
            work.findings.append(self.finding(work, visit, shop, patrol.date))

    def finding(self, work: CommunityWork, visit: Visit, shop: Establishment, day: dt.date) -> Finding:
        rng = self.rng
        violation = rng.random() < VIOLATION_SHARE
        finding = Finding(
            visit=visit,
            establishment=shop,
            community=work.community,
            kind=FindingKind.SUSPECTED_VIOLATION if violation else FindingKind.SAFETY_RISK,
            category=rng.choice(FindingCategory.values),
            description="涉嫌销售过期食品" if violation else "冷藏柜温度偏高",
            created_at=visit.visited_at,
        )
        if violation:
            finding.status = FindingStatus.REPORTED
            work.violations.append((finding, visit))
            return finding
        finding.rectification_deadline = day + dt.timedelta(days=7)
        if finding.rectification_deadline < self.today and rng.random() < RECTIFIED_SHARE:
            finding.status = FindingStatus.CLOSED
            finding.closed_at = at(finding.rectification_deadline, 10)
        return finding

    # Leads, incidents, publicity

    def build_leads(self, work: list[CommunityWork], officer: User) -> None:
        rng = self.rng
        leads: list[Lead] = []
        for w in work:
            for finding, visit in w.violations:
                leads.append(
                    Lead(
                        community=w.community,
                        establishment=finding.establishment,
                        finding=finding,
                        source=LeadSource.INSPECTOR,
                        description=finding.description,
                        reporter=visit.patrol.created_by,
                        reported_at=visit.visited_at,
                    )
                )
            for month in month_starts(self.first_day, self.last_day):
                for _ in range(PUBLIC_LEADS_PER_COMMUNITY_MONTH):
                    day = min(month + dt.timedelta(days=rng.randint(0, 27)), self.last_day)
                    if day < self.first_day:
                        continue
                    leads.append(
                        Lead(
                            community=w.community,
                            establishment=rng.choice(w.establishments),
                            source=LeadSource.PUBLIC,
                            description="群众反映该店售卖过期食品",
                            reporter_name=chinese_name(rng),
                            reporter_phone=mobile(rng),
                            reported_at=at(day, rng.randint(8, 20)),
                        )
                    )
        events, rewards = [], []
        for lead in leads:
            events.append(
                LeadEvent(lead=lead, status=LeadStatus.REPORTED, actor=lead.reporter, at=lead.reported_at)
            )
            if lead.reported_at.date() > self.today - dt.timedelta(days=14):
                continue  # recent leads are still being verified
            lead.status = weighted(
                rng, ((LeadStatus.FILED, 3), (LeadStatus.DISMISSED, 5), (LeadStatus.VERIFYING, 2))
            )
            step_at = lead.reported_at + dt.timedelta(days=rng.randint(1, 10))
            if lead.status != LeadStatus.VERIFYING:
                lead.closed_at = step_at
            events.append(LeadEvent(lead=lead, status=lead.status, actor=officer, at=step_at))
            if lead.status == LeadStatus.FILED:
                rewards.append(
                    Reward(
                        lead=lead,
                        reporter=lead.reporter,
                        reporter_name=lead.reporter_name,
                        reporter_phone=lead.reporter_phone,
                        credited_at=step_at,
                    )
                )
        self.add(Lead, leads)
        self.add(LeadEvent, events)
        self.add(Reward, rewards)

    def build_incidents(self, communities: list[OrgUnit], officer: User) -> None:
        rng, incidents = self.rng, []
        for month in month_starts(self.first_day, self.last_day):
            for _ in range(INCIDENTS_PER_DISTRICT_MONTH):
                day = month + dt.timedelta(days=rng.randint(0, 27))
                if not self.first_day <= day <= self.last_day:
                    continue
                occurred = at(day, rng.randint(8, 20), rng.randint(0, 59))
                reported = occurred + dt.timedelta(minutes=rng.choice((20, 35, 50, 55, 75)))
                incidents.append(
                    Incident(
                        community=rng.choice(communities),
                        unit_name="某餐饮店",
                        place="店内就餐区",
                        occurred_at=occurred,
                        reported_at=reported,
                        facts="多名顾客就餐后出现腹泻症状",
                        people_affected=rng.randint(2, 12),
                        reported_by=officer,
                        first_report_late=is_late_first_report(occurred, reported),
                        closed_at=reported + dt.timedelta(days=3)
                        if day < self.today - dt.timedelta(days=7)
                        else None,
                    )
                )
        self.add(Incident, incidents)

    def build_publicity(self, work: list[CommunityWork]) -> None:
        """A month of publicity per community: the board column, an activity, brochures, the medicine box;
        slogans and training once a quarter."""
        rng = self.rng
        boards, activities, drops, trainings, boxes, collections = [], [], [], [], [], []
        for w in work:
            box = CollectionBox(
                community=w.community, location=f"{w.community.name}居委会一楼", installed_on=self.first_day
            )
            boxes.append(box)
            for month in month_starts(self.first_day, self.last_day):

                def day(offset: int, month=month) -> dt.date | None:
                    value = month + dt.timedelta(days=offset)
                    return value if self.first_day <= value <= self.last_day else None

                common = {"community": w.community, "created_by": w.info}
                if d := day(rng.randint(0, 9)):
                    boards.append(
                        BoardUpdate(
                            kind=BoardKind.BULLETIN,
                            date=d,
                            summary="食品安全知识专版",
                            photo="publicity/scale/board.jpg",
                            **common,
                        )
                    )
                if month.month % 3 == 1 and (d := day(rng.randint(0, 20))):
                    boards.append(
                        BoardUpdate(
                            kind=BoardKind.SLOGAN,
                            date=d,
                            summary="安全用药，健康你我",
                            photo="publicity/scale/slogan.jpg",
                            **common,
                        )
                    )
                    trainings.append(
                        TrainingSession(
                            date=d, topic="巡查员业务培训", attendance=rng.randint(8, 20), **common
                        )
                    )
                if d := day(rng.randint(5, 25)):
                    activities.append(
                        Activity(
                            date=d,
                            title="食品安全咨询活动",
                            place=f"{w.community.name}文化广场",
                            attendance=rng.randint(30, 150),
                            **common,
                        )
                    )
                    drops.append(
                        BrochureDrop(
                            date=d,
                            households=rng.randint(50, 200),
                            copies=rng.randint(100, 300),
                            area="1-6幢",
                            **common,
                        )
                    )
                if d := day(rng.randint(15, 27)):
                    collections.append(
                        BoxCollection(box=box, date=d, items=rng.randint(5, 40), created_by=w.info)
                    )
        self.add(BoardUpdate, boards)
        self.add(Activity, activities)
        self.add(BrochureDrop, drops)
        self.add(TrainingSession, trainings)
        self.add(CollectionBox, boxes)
        self.add(BoxCollection, collections)

    # Monthly reports

    def build_reports(self, city: OrgUnit) -> None:
        """Every month whose community deadline has passed: most communities on time, some late, a few
        missing; then each district compiles what it received. Figures frozen as the services would."""
        rng, now = self.rng, timezone.now()
        communities = list(OrgUnit.objects.filter(path__startswith=city.path).communities().order_by("path"))
        districts = list(OrgUnit.objects.filter(path__startswith=city.path).districts().order_by("path"))
        authors = dict(
            User.objects.filter(
                org_unit__in=communities + districts, role__in=[Role.COMMUNITY_HEAD, Role.DISTRICT_OFFICER]
            ).values_list("org_unit_id", "pk")
        )
        for month in month_starts(self.first_day, self.last_day):
            if month < self.first_day or now < periods.report_deadline(OrgUnitKind.COMMUNITY, month):
                continue
            taken_on = periods.report_due_date(OrgUnitKind.COMMUNITY, month)
            figures = report_figures.community_figures(communities, month, on=taken_on)
            self.add_reports(communities, month, figures, authors, rng)
            if now >= periods.report_deadline(OrgUnitKind.DISTRICT, month):
                compiled = compile_districts(districts, month)
                self.add_reports(districts, month, compiled, authors, rng)

    def add_reports(self, units: list[OrgUnit], month: dt.date, figures: dict, authors: dict, rng) -> None:
        reports = []
        for unit in units:
            habit = weighted(rng, REPORT_HABITS)
            if habit == "missing":
                continue
            due = periods.report_due_date(unit.kind, month)
            day = (
                due - dt.timedelta(days=rng.randint(0, 4))
                if habit == "on_time"
                else due + dt.timedelta(days=rng.randint(1, 5))
            )
            sent = at(day, rng.randint(9, 17), rng.randint(0, 59))
            reports.append(
                MonthlyReport(
                    unit=unit,
                    period=month,
                    status=ReportStatus.SUBMITTED,
                    narrative="本月按计划开展日常巡查，发现的问题已督促整改。",
                    figures=figures[unit.pk],
                    first_submitted_at=sent,
                    submitted_at=sent,
                    submitted_by_id=authors.get(unit.pk),
                    late=periods.is_late(sent, periods.report_deadline(unit.kind, month)),
                )
            )
        self.add(MonthlyReport, reports)
        self.add(
            ReportEvent,
            [
                ReportEvent(
                    report=r, action=ReportAction.SUBMITTED, actor_id=r.submitted_by_id, at=r.submitted_at
                )
                for r in reports
            ],
        )


@dataclass
class CommunityWork:
    """One community's rows, built in memory and inserted with the rest of its district."""

    community: OrgUnit
    inspectors: list[User]
    head: User
    leader: User
    info: User

    def __post_init__(self) -> None:
        self.establishments: list[Establishment] = []
        self.patrols: list[Patrol] = []
        self.members: list[PatrolMember] = []
        self.visits: list[Visit] = []
        self.findings: list[Finding] = []
        self.violations: list[tuple[Finding, Visit]] = []


class Command(BaseCommand):
    help = "Build a city-scale data set with bulk inserts, for the benchmark (python -m bench)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--districts", type=int, default=10)
        parser.add_argument("--communities", type=int, default=20, help="per district")
        parser.add_argument("--inspectors", type=int, default=10, help="per community")
        parser.add_argument("--establishments", type=int, default=100, help="per community")
        history = parser.add_mutually_exclusive_group()
        history.add_argument("--days", type=int, default=365, help="days of patrol history, up to yesterday")
        history.add_argument("--years", type=int, help="years of history (365 days each)")
        parser.add_argument("--visits", type=int, default=5, help="visits per patrol")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed: the same seed builds the same city"
        )
        parser.add_argument("--flush", action="store_true", help="wipe the whole database first")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG=False")

    def handle(self, *args, flush: bool, force: bool, seed: int, years: int | None, **options) -> None:
        if years is not None:
            options["days"] = 365 * years
        size = Size(**{name: options[name] for name in Size.__dataclass_fields__})
        if min(size.districts, size.communities, size.establishments, size.days) < 1 or size.inspectors < 2:
            raise CommandError("Sizes must be at least 1 (and at least 2 inspectors, a patrol team).")
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG=False: the scale city has accounts with a published password; add --force."
            )
        if flush:
            self.flush()
        elif OrgUnit.objects.exists():
            city = OrgUnit.objects.filter(kind=OrgUnitKind.CITY).first()
            raise CommandError(
                f"This database already holds a city ({city or 'org units'}); "
                "run with --flush to wipe the database and build the scale city."
            )
        started = time.monotonic()
        with (
            transaction.atomic(),
            historical_timestamps(
                field(Patrol, "created_at"),
                field(Finding, "created_at"),
                field(Lead, "reported_at"),
                field(LeadEvent, "at"),
                field(Reward, "credited_at"),
                field(ReportEvent, "at"),
            ),
        ):
            builder = CityBuilder(size, seed, timezone.localdate(), self.stdout)
            builder.build()
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner, and the visibility map that lets it answer
            # counts from indexes alone (autovacuum would get there, later).
            # VACUUM cannot run inside a transaction (a caller's, as in tests).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.report(builder, time.monotonic() - started)

    def flush(self) -> None:
        """Empty every table, then put back the rows that migrations seed (the default checklists)."""
        defaults = list(ChecklistTemplate.objects.filter(district__isnull=True).values("category", "items"))
        call_command("flush", interactive=False, verbosity=0)
        ChecklistTemplate.objects.bulk_create(ChecklistTemplate(**row) for row in defaults)

    def report(self, builder: CityBuilder, seconds: float) -> None:
        counts = ", ".join(f"{name} {count}" for name, count in builder.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Scale city built in {seconds:.0f}s: {counts}."))
        self.stdout.write(
            f"Logins (password {PASSWORD}): {CITY_OFFICER} (city officer), "
            f"{district_officer_name(1)} (district officer), {inspector_name(1, 1, 1)} (inspector); "
            "the others follow the same pattern: scale-dNN, scale-dNNcNNN-iNN, -head, -leader, -info."
        )

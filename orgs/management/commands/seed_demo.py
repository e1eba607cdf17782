"""`manage.py seed_demo`: a small, realistic demo city to click through.

Builds 临江市 with three districts of four communities each, the people who work
in them and two dozen establishments per community. Every random choice comes
from a generator seeded per record, so repeated runs build the same city: org
units and users are updated in place, and a community that already has
establishments is left alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import uuid
from collections.abc import Iterator
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from PIL import Image
from simple_history.utils import bulk_create_with_history

from orgs.models import OrgUnit, OrgUnitKind, Role, User
from patrols import schedule
from patrols.models import (
    Category,
    Establishment,
    FindingKind,
    FoodGrade,
    ModelStatus,
    RiskClass,
    Status,
    VisitResult,
    WatchList,
)
from patrols.registry_cache import registry_changed
from patrols.services import records
from publicity.models import (
    Activity,
    BoardKind,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    CampaignKind,
    CollectionBox,
    TrainingSession,
)
from publicity.services import box_collection_add, campaign_calendar, collection_box_add, publicity_record_add
from reporting import periods
from reporting.models import MonthlyReport, ReportStatus
from reporting.services import current_figures

SEED = "seed-demo-v1"
PASSWORD = "demo12345"
SITE_URL = "http://127.0.0.1:8000/"
CITY_CODE, CITY_NAME, AREA_CODE = "3300", "临江市", "0576"

# (code, name, community names without the "社区" suffix, streets)
DISTRICTS = (
    (
        "330101",
        "东城区",
        ("翠苑", "文新", "古荡", "蒋村"),
        ("文三路", "学院路", "古墩路", "教工路", "文一西路"),
    ),
    (
        "330102",
        "西湖区",
        ("北山", "灵隐", "西溪", "转塘"),
        ("北山街", "曙光路", "天目山路", "龙井路", "之江路"),
    ),
    (
        "330103",
        "滨江区",
        ("江南", "长河", "浦沿", "白马湖"),
        ("江南大道", "滨盛路", "长河路", "江虹路", "浦沿路"),
    ),
)
GRID_COMMUNITY_CODE = "330101001"
GRID_NAMES = ("第一网格", "第二网格")

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚"
)
GIVEN_NAMES = (
    "伟",
    "芳",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "文博",
    "雨萱",
    "子涵",
    "国平",
)
ADDRESS_SUFFIXES = ("", "", "", "一楼", "底商", "临街商铺")

# (category, how many per community, name patterns: {s} a surname, {c} the community's short name)
CATEGORY_PLAN: tuple[tuple[Category, int, tuple[str, ...]], ...] = (
    (
        Category.FOOD_SERVICE,
        6,
        ("{s}记面馆", "{s}家小炒", "老{s}饺子馆", "沙县小吃({c}店)", "{s}师傅牛肉拉面", "{c}烧烤"),
    ),
    (Category.FOOD_RETAIL, 4, ("{c}生鲜超市", "{s}家水果店", "联华便利({c}店)", "{s}记粮油店")),
    (Category.PHARMACY, 3, ("百姓大药房({c}店)", "{c}康宁药店", "仁和堂大药房({c}店)")),
    (Category.HEALTH_FOOD, 1, ("{c}健康食品专营店",)),
    (Category.COSMETICS, 2, ("{c}美妆店", "{s}小姐化妆品店")),
    (Category.MEDICAL_DEVICES, 1, ("康复之家医疗器械({c}店)",)),
    (Category.CLINIC, 2, ("{s}氏中医诊所", "{c}口腔诊所")),
    (Category.SCHOOL_CANTEEN, 2, ("阳光幼儿园食堂", "{c}小学食堂")),
    (Category.WORKPLACE_CANTEEN, 1, ("{c}科技园职工食堂",)),
    (Category.SMALL_WORKSHOP, 2, ("{s}记豆腐坊", "{c}早点摊")),
)
# Food licences (JY…) carry a subject digit: 1 retail, 2 catering, 3 canteen.
JY_SUBJECT = {
    Category.FOOD_SERVICE: 2,
    Category.FOOD_RETAIL: 1,
    Category.HEALTH_FOOD: 1,
    Category.SCHOOL_CANTEEN: 3,
    Category.WORKPLACE_CANTEEN: 3,
}
# One black-listed shop per district: (community number, establishment index).
BLACK_LIST_SLOT = (1, 2)
VISIT_STATES = ("overdue", "due", "ok", "never")
VISIT_STATE_WEIGHTS = (2, 2, 7, 1)

COMMUNITY_STAFF = (
    ("head", Role.COMMUNITY_HEAD),
    ("leader", Role.SUPERVISING_LEADER),
    ("info", Role.INFO_OFFICER),
    ("vol", Role.VOLUNTEER),
)
INSPECTORS_PER_COMMUNITY = 3
OFFICERS_PER_DISTRICT = 2


def rng_for(key: str) -> random.Random:
    """A generator of its own per record, so skipping work on a rerun changes nothing else."""
    return random.Random(f"{SEED}:{key}")


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 10**9 - 1):09d}"


def landline(rng: random.Random) -> str:
    return f"{AREA_CODE}-8{rng.randint(0, 10**7 - 1):07d}"


def days_ago(today: dt.date, low: int, high: int, rng: random.Random) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low, high))


def upsert_unit(
    kind: OrgUnitKind, code: str, name: str, parent: OrgUnit | None, address: str = ""
) -> OrgUnit:
    fields = {"kind": kind, "name": name, "parent": parent, "address": address}
    # The demo network starts when its records do, so reporting rates and
    # trends owe nothing for the months before.
    opened = {**fields, "opened_on": history_start(timezone.localdate())}
    unit, _ = OrgUnit.objects.update_or_create(code=code, defaults=fields, create_defaults=opened)
    return unit


def upsert_user(
    username: str, role: Role, unit: OrgUnit, password_hash: str, certificate_no: str = ""
) -> User:
    rng = rng_for(username)
    is_admin = role == Role.ADMIN
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "org_unit": unit,
            "full_name": chinese_name(rng),
            "phone": mobile(rng),
            "certificate_no": certificate_no,
            "password": password_hash,
            "is_active": True,
            "is_staff": is_admin,
            "is_superuser": is_admin,
        },
    )
    return user


def licence_no(rng: random.Random, category: Category, community_code: str, index: int) -> str:
    """A licence number in the style of the issuing authority; blank for some street vendors."""
    district, local = community_code[:6], community_code[6:]
    if category in JY_SUBJECT:
        return f"JY{JY_SUBJECT[category]}{community_code}{index:03d}{rng.randint(0, 9)}"
    if category == Category.PHARMACY:
        return f"浙CB{community_code[2:]}{index:02d}"
    if category == Category.COSMETICS:  # unified social credit code of a sole trader
        return f"92{district}MA{local}{index:02d}{rng.randint(100, 999)}"
    if category == Category.MEDICAL_DEVICES:
        return f"浙临食药监械经营备{rng.randint(2018, 2023)}{community_code[4:]}{index:02d}号"
    if category == Category.CLINIC:
        return f"PDY{local}{index:02d}-{district}12D2152"
    return "" if rng.random() < 0.5 else f"浙临食小作坊登{community_code}{index:02d}"


def last_visit(rng: random.Random, *, months: int, registered: dt.date, today: dt.date) -> dt.date | None:
    """A last visit that leaves the establishment overdue, due soon, up to date or never visited."""
    state = rng.choices(VISIT_STATES, weights=VISIT_STATE_WEIGHTS)[0]
    if state == "never":
        return None
    falls_due_today = schedule.add_months(today, -months)  # a visit on this day is due again today
    if state == "overdue":
        day = falls_due_today - dt.timedelta(days=rng.randint(3, 60))
    elif state == "due":
        day = falls_due_today + dt.timedelta(days=rng.randint(0, schedule.DUE_SOON_DAYS - 1))
    else:
        latest = (today - falls_due_today).days - schedule.DUE_SOON_DAYS - 2
        day = today - dt.timedelta(days=rng.randint(0, latest))
    return max(day, registered)


def build_establishment(
    community: OrgUnit,
    number: int,
    index: int,
    category: Category,
    pattern: str,
    streets: tuple[str, ...],
    grids: list[OrgUnit],
    today: dt.date,
) -> Establishment:
    rng = rng_for(f"{community.code}:{index}")
    short_name = community.name.removesuffix("社区")
    black = (number, index) == BLACK_LIST_SLOT
    watch = WatchList.BLACK if black else (WatchList.RED if rng.random() < 0.12 else WatchList.NONE)
    risk = RiskClass.A if black or category == Category.SCHOOL_CANTEEN else rng.choice("ABBBCC")
    tightened = rng.choice((1, 2)) if risk != RiskClass.A and rng.random() < 0.06 else None
    registered = days_ago(today, 365, 3 * 365, rng)
    item = Establishment(
        name=pattern.format(s=rng.choice(SURNAMES), c=short_name),
        address=f"{CITY_NAME}{community.parent.name}{rng.choice(streets)}{rng.randint(1, 399)}号"
        + rng.choice(ADDRESS_SUFFIXES),
        licence_no=licence_no(rng, category, community.code, index),
        legal_representative=chinese_name(rng),
        phone=mobile(rng) if rng.random() < 0.7 else landline(rng),
        community=community,
        grid=grids[index % len(grids)] if grids else None,
        category=category,
        status=rng.choices((Status.OPEN, Status.SUSPENDED, Status.CLOSED), weights=(92, 5, 3))[0],
        risk_class=risk,
        tightened_interval_months=tightened,
        watch_list=watch,
        model_status=rng.choice((ModelStatus.CANDIDATE, ModelStatus.MODEL)) if watch == WatchList.RED else "",
        registered_on=registered,
        last_visited_on=last_visit(
            rng, months=schedule.interval_months(risk, tightened), registered=registered, today=today
        ),
    )
    if item.takes_food_grade:
        item.food_grade = rng.choices((FoodGrade.A, FoodGrade.B, FoodGrade.C), weights=(3, 5, 2))[0]
        item.food_graded_on = min(registered + dt.timedelta(days=rng.randint(20, 300)), today)
    item.full_clean()
    item.refresh_visit_due()
    return item


def seed_establishments(
    community: OrgUnit, number: int, streets: tuple[str, ...], grids: list[OrgUnit], admin: User
) -> int:
    if community.establishments.exists():
        return 0
    today = timezone.localdate()
    plan = [(category, pattern) for category, count, names in CATEGORY_PLAN for pattern in names[:count]]
    items = [
        build_establishment(community, number, index, category, pattern, streets, grids, today)
        for index, (category, pattern) in enumerate(plan)
    ]
    bulk_create_with_history(items, Establishment, default_user=admin, default_change_reason="演示数据")
    registry_changed()  # bulk inserts send no signals
    return len(items)


# Patrol records per community since the start of the previous month (so the
# last monthly report has a whole month behind it), a few days missed on purpose.
def history_start(today: dt.date) -> dt.date:
    return periods.previous_period(today)


VISITS_PER_PATROL = 3
DEMO_NAMESPACE = uuid.UUID("6f1c4f8e-2f55-4c5e-9a7b-3f0d2a4c9e11")


@contextlib.contextmanager
def on_the_day(moment: dt.datetime) -> Iterator[None]:
    """Run the services as if at `moment`: a past day's patrol is logged, visited and submitted on
    that day, as an inspector would have, and so lands in its month before that month is locked."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def seed_patrol_history(community: OrgUnit) -> int:
    """Patrols since the previous month began, through the real services; archived when older than two days.

    Record ids derive from the community and the day, so a second run finds
    every record already there and adds nothing.
    """
    inspectors = list(User.objects.inspectors().filter(org_unit=community).order_by("username"))
    head = User.objects.get(org_unit=community, role=Role.COMMUNITY_HEAD)
    leader = User.objects.get(org_unit=community, role=Role.SUPERVISING_LEADER)
    today = timezone.localdate()
    made = 0
    for back in range((today - history_start(today)).days, 0, -1):
        day = today - dt.timedelta(days=back)
        key = f"{community.code}:{day:%Y%m%d}"
        rng = rng_for(f"patrols:{key}")
        if rng.random() < 0.12:
            continue  # a day without a patrol, for the calendar to show
        with on_the_day(timezone.make_aware(dt.datetime.combine(day, dt.time(18)))):
            made += seed_patrol_day(community, day, key, rng, inspectors, head, leader, back)
    return made


def seed_patrol_day(
    community: OrgUnit,
    day: dt.date,
    key: str,
    rng: random.Random,
    inspectors: list[User],
    head: User,
    leader: User,
    back: int,
) -> int:
    """One day's patrol record, its visits and its review; 0 when it was already there."""
    patrol, created = records.patrol_start(
        user=inspectors[0],
        team=inspectors[1:2],
        date=day,
        client_id=uuid.uuid5(DEMO_NAMESPACE, key),
    )
    if not created:
        return 0
    shops = list(community.establishments.open().order_by("next_visit_due", "pk")[:VISITS_PER_PATROL])
    for number, shop in enumerate(shops):
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + number, rng.randint(0, 59))))
        problem = rng.random() < 0.15
        records.visit_record(
            user=inspectors[0],
            patrol=patrol,
            establishment=shop,
            result=VisitResult.ISSUES if problem else VisitResult.COMPLIANT,
            findings="冷藏柜温度偏高，部分熟食未加盖" if problem else "",
            action_taken="当场劝导，要求限期整改" if problem else "",
            finding_items=[records.FindingInput(FindingKind.SAFETY_RISK, "storage", "冷藏柜温度偏高")]
            if problem
            else [],
            visited_at=at,
            client_id=uuid.uuid5(DEMO_NAMESPACE, f"{key}:{number}"),
        )
    records.patrol_submit(user=inspectors[0], patrol=patrol)
    if back > 2:
        records.patrol_approve(user=head, patrol=patrol)
        records.patrol_approve(user=leader, patrol=patrol)
    return 1


def demo_photo(colour: tuple[int, int, int]) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="board.jpg")


def seed_publicity(community: OrgUnit, number: int) -> None:
    """A season of publicity through the real services: board updates (one community lets its
    board lapse, for the overdue state to show), a campaign activity, brochures and a medicine box.
    """
    if BoardUpdate.objects.filter(community=community).exists():
        return
    today = timezone.localdate()
    info = User.objects.get(username=f"info-{community.code}")
    volunteer = User.objects.get(username=f"vol-{community.code}")
    last_month = periods.previous_period(today)
    this_month = today.replace(day=1)
    months = [last_month] if number == 4 or today.day <= 2 else [last_month, this_month]
    for month in months:
        record = BoardUpdate(
            kind=BoardKind.BULLETIN,
            date=month + dt.timedelta(days=2),
            summary="食品安全知识专版：夏秋季饮食安全",
        )
        publicity_record_add(user=info, record=record, photo=demo_photo((20, 120, 80)))
    slogan = BoardUpdate(
        kind=BoardKind.SLOGAN, date=last_month + dt.timedelta(days=5), summary="“安全用药，健康你我”"
    )
    publicity_record_add(user=info, record=slogan, photo=demo_photo((200, 40, 40)))
    campaigns = {c.kind: c for c in campaign_calendar(year=today.year)}
    drug_month = campaigns[CampaignKind.DRUG_SAFETY_MONTH]
    if drug_month.ends_on <= today:
        activity = Activity(
            campaign=drug_month,
            title="安全用药月咨询活动",
            date=drug_month.starts_on + dt.timedelta(days=10 + number),
            place=f"{community.name}文化广场",
            attendance=60 + 15 * number,
        )
        publicity_record_add(user=volunteer, record=activity)
    drop = BrochureDrop(
        date=last_month + dt.timedelta(days=12), households=80 + 10 * number, copies=100, area="1-6幢"
    )
    publicity_record_add(user=volunteer, record=drop)
    box = collection_box_add(
        user=info,
        box=CollectionBox(
            location=f"{community.name}居委会一楼", installed_on=last_month - dt.timedelta(days=60)
        ),
    )
    box_collection_add(
        user=info,
        collection=BoxCollection(box=box, date=last_month + dt.timedelta(days=20), items=12 + number),
    )
    training = TrainingSession(date=last_month + dt.timedelta(days=8), topic="巡查员业务培训", attendance=12)
    publicity_record_add(user=info, record=training)


# How the demo communities did with the last monthly report: most on time, some
# late, some not at all, so the dashboards have every state to show.
REPORT_HABITS = ("on_time", "on_time", "late", "missing")
NARRATIVE = (
    "本月按计划开展日常巡查，重点检查了餐饮服务单位和药店，发现的问题已督促整改。下月继续做好巡查和宣传工作。"
)
DISTRICT_NARRATIVE = "本月对各社区巡查工作进行了督查，抽查了巡查记录和整改落实情况。"


def seed_report(unit: OrgUnit, period: dt.date, habit: str, author: User, narrative: str) -> None:
    """The unit's report on `period`, as if sent on the day its habit says.

    Written directly rather than through monthly_report_submit, because the
    demo backdates the sending day, which the service (rightly) never does.
    """
    if habit == "missing" or MonthlyReport.objects.filter(unit=unit, period=period).exists():
        return
    due = periods.report_due_date(unit.kind, period)
    day = due - dt.timedelta(days=2) if habit == "on_time" else due + dt.timedelta(days=2)
    sent = min(periods.end_of_day(day) - dt.timedelta(hours=7), timezone.now())
    report = MonthlyReport(unit=unit, period=period, narrative=narrative)
    report.figures = current_figures(report)
    report.status = ReportStatus.SUBMITTED
    report.first_submitted_at = report.submitted_at = sent
    report.submitted_by = author
    report.late = periods.is_late(sent, report.deadline)
    report.save()


class Command(BaseCommand):
    help = "生成演示数据：一个市、三个区、十二个社区、各级用户和经营主体（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="DEBUG=False 时也执行（慎用）。")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG=False：演示数据含公开密码的管理员账号，拒绝执行（确需执行请加 --force）。"
            )
        with transaction.atomic():
            created, logins = self.seed()
        # Today's reminders (missed patrol days, reports and boards falling due), as the beat
        # would send them, so the demo's notification centres show what the product does.
        call_command("send_reminders", stdout=self.stdout)
        self.print_summary(created)
        self.print_logins(logins)

    def seed(self) -> tuple[int, list[tuple[str, list[tuple[str, str]]]]]:
        # Hashing is slow by design; every demo user shares the one hash.
        password_hash = make_password(PASSWORD)
        city = upsert_unit(OrgUnitKind.CITY, CITY_CODE, CITY_NAME, None)
        admin = upsert_user("admin", Role.ADMIN, city, password_hash)
        upsert_user("city-officer", Role.CITY_OFFICER, city, password_hash)
        logins = [
            (CITY_NAME, [("admin", str(Role.ADMIN.label)), ("city-officer", str(Role.CITY_OFFICER.label))])
        ]
        created = 0
        for district_code, district_name, community_names, streets in DISTRICTS:
            district = upsert_unit(OrgUnitKind.DISTRICT, district_code, district_name, city)
            officers = range(1, OFFICERS_PER_DISTRICT + 1)
            rows = [(f"dist-{district_code}-{n}", str(Role.DISTRICT_OFFICER.label)) for n in officers]
            for username, _label in rows:
                upsert_user(username, Role.DISTRICT_OFFICER, district, password_hash)
            upsert_user(f"liaison-{district_code}", Role.DISTRICT_LIAISON, district, password_hash)
            rows.append((f"liaison-{district_code}", str(Role.DISTRICT_LIAISON.label)))
            for number, short_name in enumerate(community_names, start=1):
                community = self.seed_community(district, number, short_name, streets, password_hash)
                grids = list(community.children.filter(kind=OrgUnitKind.GRID))
                created += seed_establishments(community, number, streets, grids, admin)
                seed_patrol_history(community)
                seed_publicity(community, number)
                habit = REPORT_HABITS[(number + int(district_code[-1])) % len(REPORT_HABITS)]
                head = User.objects.get(username=f"head-{community.code}")
                seed_report(community, periods.previous_period(timezone.localdate()), habit, head, NARRATIVE)
                if number == 1:
                    rows += [
                        (f"insp-{community.code}-1", f"{Role.INSPECTOR.label} · {community.name}"),
                        (f"head-{community.code}", f"{Role.COMMUNITY_HEAD.label} · {community.name}"),
                        (f"leader-{community.code}", f"{Role.SUPERVISING_LEADER.label} · {community.name}"),
                    ]
            officer = User.objects.get(username=f"dist-{district_code}-1")
            habit = "on_time" if district_code == DISTRICTS[0][0] else "missing"
            seed_report(
                district, periods.previous_period(timezone.localdate()), habit, officer, DISTRICT_NARRATIVE
            )
            logins.append((district_name, rows))
        return created, logins

    def seed_community(
        self, district: OrgUnit, number: int, short_name: str, streets: tuple[str, ...], password_hash: str
    ) -> OrgUnit:
        code = f"{district.code}{number:03d}"
        address = f"{CITY_NAME}{district.name}{streets[number % len(streets)]}{number * 17}号"
        community = upsert_unit(OrgUnitKind.COMMUNITY, code, f"{short_name}社区", district, address)
        if code == GRID_COMMUNITY_CODE:
            for n, grid_name in enumerate(GRID_NAMES, start=1):
                upsert_unit(OrgUnitKind.GRID, f"{code}{n:02d}", f"{community.name}{grid_name}", community)
        for n in range(1, INSPECTORS_PER_COMMUNITY + 1):
            upsert_user(f"insp-{code}-{n}", Role.INSPECTOR, community, password_hash, f"XC-{code}-{n:02d}")
        for prefix, role in COMMUNITY_STAFF:
            upsert_user(f"{prefix}-{code}", role, community, password_hash)
        return community

    def print_summary(self, created: int) -> None:
        units = OrgUnit.objects.filter(path__startswith=f"/{CITY_CODE}/")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪：区 {units.districts().count()} 个，社区 {units.communities().count()} 个，"
                f"网格 {units.filter(kind=OrgUnitKind.GRID).count()} 个，用户 {User.objects.count()} 人，"
                f"经营主体 {Establishment.objects.count()} 家（本次新增 {created} 家）。"
            )
        )

    def print_logins(self, logins: list[tuple[str, list[tuple[str, str]]]]) -> None:
        self.stdout.write(f"\n演示账号（统一密码：{PASSWORD}）  登录地址：{SITE_URL}")
        for heading, rows in logins:
            self.stdout.write(f"  【{heading}】")
            for username, label in rows:
                self.stdout.write(f"    {username:<20} {label}")
        self.stdout.write("  其他社区账号同理：insp-<社区代码>-1..3、head-、leader-、info-、vol-<社区代码>。")

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
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation
from PIL import Image, ImageDraw
from simple_history.utils import bulk_create_with_history

from assessment import services as assessments
from assessment.models import Tier, in_window
from orgs.models import OrgUnit, OrgUnitKind, Role, User
from patrols import schedule
from patrols.models import (
    SEVERITY_DAYS,
    Category,
    Establishment,
    Finding,
    FindingCategory,
    FindingKind,
    FindingStatus,
    FoodGrade,
    GradingTarget,
    Incident,
    Lead,
    LeadSource,
    ModelStatus,
    Patrol,
    PatrolKind,
    RapidTest,
    RapidTestMethod,
    RapidTestResult,
    RiskClass,
    Severity,
    SpecialCampaign,
    Status,
    Visit,
    VisitResult,
    WatchList,
    WatchListPublication,
)
from patrols.services import campaigns, incidents, leads, records, watch_lists
from patrols.services.establishments import establishment_save
from patrols.services.grading import grading_target_set
from patrols.services.rapid_tests import RapidTestInput, rapid_test_in_room, rapid_test_on_visit
from patrols.services.rectifications import rectification_evidence_add
from publicity import model_units
from publicity.models import (
    Activity,
    BoardKind,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    CampaignKind,
    CandidateStatus,
    CollectionBox,
    ModelCategory,
    ModelTarget,
    TrainingSession,
)
from publicity.services import (
    box_collection_add,
    campaign_calendar,
    collection_box_add,
    publicity_record_add,
    training_session_add,
    training_target_set,
)
from reporting import periods
from reporting.models import Article, MonthlyReport, ReportStatus
from reporting.services import (
    article_forward,
    article_media_add,
    article_submit,
    current_figures,
    monthly_report_return,
)

SEED = "seed-demo-v1"
PASSWORD = "demo12345"
SITE_URL = "http://127.0.0.1:8000/"  # what `make run` serves unless given another PORT
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
# One black-listed shop per district: (community number, establishment index). The red list is the
# shops the demo makes model shops (or candidates); the district lists both in seed_watch_lists.
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
        # Up to date: visited on one of the demo's patrols, which log every visit since history_start.
        latest = (today - falls_due_today).days - schedule.DUE_SOON_DAYS - 2
        day = today - dt.timedelta(days=rng.randint(1, min(latest, (today - history_start(today)).days)))
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
        # Off the lists until the district puts it on one, with the day and why (seed_watch_lists).
        watch_list=WatchList.NONE,
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
    return len(items)


# Patrol records per community since the start of the previous month (so the
# last monthly report has a whole month behind it), a few days missed on purpose.
def history_start(today: dt.date) -> dt.date:
    return periods.previous_period(today)


VISITS_PER_PATROL = 3
# A demo risk is minor: due a week after it was found.
MINOR_DAYS = SEVERITY_DAYS[Severity.MINOR]
DEMO_NAMESPACE = uuid.UUID("6f1c4f8e-2f55-4c5e-9a7b-3f0d2a4c9e11")
# What the demo's inspectors find, by category: a variety for the lists and the follow-up choice.
RISKS = (
    (FindingCategory.STORAGE, "冷藏柜温度偏高（9℃），熟食未加盖"),
    (FindingCategory.HYGIENE, "操作间地面积水，垃圾桶未加盖"),
    (FindingCategory.EXPIRED, "货架上有两袋过期挂面"),
    (FindingCategory.LABELLING, "散装食品未标明生产日期和保质期"),
    (FindingCategory.STAFF_HEALTH, "一名从业人员健康证已过期"),
    (FindingCategory.LICENCE, "许可证未在显著位置悬挂"),
)
VIOLATION = (FindingCategory.UNLICENSED_SALES, "无处方销售处方药（阿莫西林胶囊）")
RISK_RATE, VIOLATION_RATE, RECTIFIED_RATE = 0.3, 0.03, 0.75
PHOTO_COLOURS = ((150, 60, 40), (90, 110, 160), (60, 130, 90))


def patrol_plan(community: OrgUnit, today: dt.date) -> dict[dt.date, list[Establishment]]:
    """Which open establishments each day's patrol visits since history_start.

    Each establishment last visited in that time is visited on its last-visit
    day, so the registry's dates follow from the visits; a day with fewer than
    VISITS_PER_PATROL visits adds an earlier round at establishments visited
    again later. A few days without such a last visit are missed on purpose,
    for the calendar to show.
    """
    first = history_start(today)
    shops = list(community.establishments.open().order_by("pk"))
    plan: dict[dt.date, list[Establishment]] = {
        first + dt.timedelta(days=n): [] for n in range((today - first).days)
    }
    for shop in shops:
        if shop.last_visited_on in plan:
            plan[shop.last_visited_on].append(shop)
    for day, visits in plan.items():
        rng = rng_for(f"patrols:{community.code}:{day:%Y%m%d}")
        if not visits and rng.random() < 0.12:
            continue
        later = [s for s in shops if s.last_visited_on and s.last_visited_on > day and s not in visits]
        rng.shuffle(later)
        visits += later[: max(0, VISITS_PER_PATROL - 1 - len(visits))]
    return {day: visits for day, visits in plan.items() if visits}


class DemoClock:
    """The time the services see while the demo's history is written: each past day's patrol is
    logged, visited and submitted on that day, as an inspector would have, and so lands in its
    month before that month's report is locked (reporting.models.period_locked)."""

    moment: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self.moment or dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def demo_clock() -> Iterator[DemoClock]:
    clock = DemoClock()
    with mock.patch("django.utils.timezone.now", side_effect=clock.now):
        yield clock


def seed_patrol_history(community: OrgUnit) -> int:
    """Patrols since the previous month began, through the real services; archived when older than two days.

    1. Each day's patrol visits what patrol_plan says, in its order.
    2. An earlier round may find a safety risk, which the next visit follows
       up (回头看): mostly rectified, else re-opened with a new deadline.
    3. A last visit may find a risk still open (overdue when its deadline has
       passed) or a suspected violation, reported to the district as a lead.
    4. Every visit with a finding carries a photo.

    Record ids derive from the community and the day, so a second run finds
    every record already there and adds nothing.
    """
    inspectors = list(User.objects.inspectors().filter(org_unit=community).order_by("username"))
    head = User.objects.get(org_unit=community, role=Role.COMMUNITY_HEAD)
    leader = User.objects.get(org_unit=community, role=Role.SUPERVISING_LEADER)
    today = timezone.localdate()
    plan = patrol_plan(community, today)
    last_day = {shop.pk: day for day, shops in plan.items() for shop in shops}  # the latest wins
    open_risk: dict[int, Finding] = {}
    made = 0
    with demo_clock() as clock:
        for day, shops in plan.items():
            key = f"{community.code}:{day:%Y%m%d}"
            rng = rng_for(f"patrols:{key}")
            clock.moment = timezone.make_aware(dt.datetime.combine(day, dt.time(18)))
            lead, partner = inspectors[day.toordinal() % 2], inspectors[2]
            patrol, created = records.patrol_start(
                user=lead, team=[partner], date=day, client_id=uuid.uuid5(DEMO_NAMESPACE, key)
            )
            if not created:
                continue
            made += 1
            for number, shop in enumerate(shops):
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + number, rng.randint(0, 59))))
                visit_args = {
                    "result": VisitResult.COMPLIANT,
                    "finding_items": [],
                    "findings": "",
                    "action_taken": "",
                }
                visitor = lead
                if (earlier := open_risk.pop(shop.pk, None)) is not None:
                    rectified = rng.random() < RECTIFIED_RATE
                    visit_args.update(follow_up_of=earlier, rectified=rectified)
                    # The finder does not confirm their own fix; the fix is shown by a photo.
                    visitor = partner if earlier.found_by_id == lead.pk else lead
                    if rectified:
                        rectification_evidence_add(
                            user=lead, finding=earlier, upload=demo_photo(PHOTO_COLOURS[0])
                        )
                    if not rectified:
                        visit_args.update(
                            result=VisitResult.ISSUES, findings=f"回头看：{earlier.description}，仍未整改"
                        )
                elif rng.random() < (VIOLATION_RATE if last_day[shop.pk] == day else 0):
                    visit_args.update(
                        finding_items=[finding_input(FindingKind.SUSPECTED_VIOLATION, VIOLATION, day, today)]
                    )
                elif rng.random() < RISK_RATE:
                    risk = RISKS[rng.randrange(len(RISKS))]
                    visit_args.update(
                        finding_items=[finding_input(FindingKind.SAFETY_RISK, risk, day, today)]
                    )
                if visit_args["finding_items"]:
                    item = visit_args["finding_items"][0]
                    visit_args.update(
                        result=VisitResult.ISSUES,
                        findings=item.description,
                        action_taken="当场劝导，要求限期整改",
                    )
                visit, _created = records.visit_record(
                    user=visitor,
                    patrol=patrol,
                    establishment=shop,
                    visited_at=at,
                    client_id=uuid.uuid5(DEMO_NAMESPACE, f"{key}:{number}"),
                    **visit_args,
                )
                if earlier is not None and not visit.rectified:
                    # Re-opened with a week from the day of the follow-up, to be followed up again.
                    backdate_finding(earlier, found=day)
                    if last_day[shop.pk] != day:
                        open_risk[shop.pk] = earlier
                for finding in visit.finding_set.all():
                    backdate_finding(finding, found=day)
                    if finding.kind == FindingKind.SAFETY_RISK and last_day[shop.pk] != day:
                        open_risk[shop.pk] = finding
                if visit.result == VisitResult.ISSUES:
                    colour = PHOTO_COLOURS[number % len(PHOTO_COLOURS)]
                    records.photo_add(user=lead, visit=visit, upload=demo_photo(colour))
                    # The shop signs the record of a visit with problems, or now and then refuses.
                    refuses = rng_for(f"signature:{visit.client_id}").random() < REFUSED_RATE
                    shop_acknowledges(visit, lead, refuses=refuses)
            records.patrol_submit(user=lead, patrol=patrol)
            if (today - day).days > 2:
                records.patrol_approve(user=head, patrol=patrol)
                records.patrol_approve(user=leader, patrol=patrol)
    return made


def finding_input(kind: str, what: tuple[str, str], found: dt.date, today: dt.date) -> records.FindingInput:
    # The service refuses a deadline already past; backdate_finding sets the real one.
    deadline = max(found + dt.timedelta(days=MINOR_DAYS), today)
    return records.FindingInput(kind, what[0], what[1], deadline if kind == FindingKind.SAFETY_RISK else None)


def backdate_finding(finding: Finding, *, found: dt.date) -> None:
    """The finding as if made on the day of its visit: found then, due a week later (overdue by now, maybe).

    Written directly, as seed_report does: the services date what they make today, rightly.
    """
    fields = {"created_at": finding.visit.visited_at} if finding.visit.patrol.date == found else {}
    if finding.kind == FindingKind.SAFETY_RISK and finding.status == FindingStatus.OPEN:
        fields["rectification_deadline"] = found + dt.timedelta(days=MINOR_DAYS)
    Finding.objects.filter(pk=finding.pk).update(**fields)
    for name, value in fields.items():
        setattr(finding, name, value)


# Of the visits with problems, the share whose shop refuses to sign the visit record.
REFUSED_RATE = 0.15


def shop_acknowledges(visit: Visit, inspector: User, *, refuses: bool) -> None:
    """The shop signs the visit record (or refuses), at the time of the visit rather than today."""
    if refuses:
        records.visit_shop_refuse(user=inspector, visit=visit, reason="负责人不在店，店员不愿签字")
        Visit.objects.filter(pk=visit.pk).update(shop_refused_at=visit.visited_at)
        return
    signer = visit.establishment.legal_representative or "店长"
    records.visit_shop_sign(user=inspector, visit=visit, signer_name=signer, signature=DEMO_SIGNATURE)
    Visit.objects.filter(pk=visit.pk).update(shop_signed_at=visit.visited_at)


def _demo_signature() -> bytes:
    image = Image.new("RGB", (300, 110), "white")
    ImageDraw.Draw(image).line([(20, 80), (90, 25), (150, 85), (210, 30), (280, 70)], fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


DEMO_SIGNATURE = _demo_signature()


def demo_photo(colour: tuple[int, int, int]) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="board.jpg")


def seed_publicity(community: OrgUnit, number: int) -> None:
    """A season of publicity through the real services: board updates (the fourth community of
    each district lets its board lapse, for the overdue state to show), a campaign activity,
    brochures and a medicine box.
    """
    if BoardUpdate.objects.filter(community=community).exists():
        return
    today = timezone.localdate()
    info = User.objects.get(username=f"info-{community.code}")
    volunteer = User.objects.get(username=f"vol-{community.code}")
    last_month = periods.previous_period(today)
    this_month = today.replace(day=1)
    if number == 4:  # its board last changed the month before last: overdue since last month ended
        months = [periods.previous_period(last_month)]
    else:
        months = [last_month] if today.day <= 2 else [last_month, this_month]
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
    # A training for the community's inspectors, named; every other community has held its drill.
    inspectors = list(User.objects.filter(org_unit=community, role=Role.INSPECTOR).order_by("pk"))
    training = TrainingSession(
        date=last_month + dt.timedelta(days=8),
        topic="巡查员业务培训",
        audience="staff",
        hours=Decimal("2"),
        attendance=max(12, len(inspectors)),
    )
    training_session_add(
        user=info, session=training, attendees=inspectors, outsiders=[("王建国", "张记面馆")]
    )
    if number % 2 == 0:
        drill = TrainingSession(
            kind="drill",
            date=last_month + dt.timedelta(days=15),
            topic="食物中毒应急处置演练",
            audience="staff",
            hours=Decimal("1.5"),
            attendance=20,
        )
        training_session_add(user=info, session=drill)


# How the demo communities did with the last monthly report: each district has one
# community on time, one late, one whose report the district returned and one that
# sent nothing, so the dashboards have every state to show.
REPORT_HABITS = ("on_time", "late", "returned", "missing")
RETURN_REASON = "巡查天数与巡查记录不一致，请核对后重新报送。"
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
    day = due - dt.timedelta(days=2) if habit in ("on_time", "returned") else due + dt.timedelta(days=2)
    sent = min(periods.end_of_day(day) - dt.timedelta(hours=7), timezone.now())
    report = MonthlyReport(unit=unit, period=period, narrative=narrative)
    report.figures = current_figures(report)
    report.status = ReportStatus.SUBMITTED
    report.first_submitted_at = report.submitted_at = sent
    report.submitted_by = author
    report.late = periods.is_late(sent, report.deadline)
    report.save()
    if habit == "returned":
        reviewer = (
            User.objects.filter(org_unit_id=unit.parent_id, role=Role.DISTRICT_OFFICER).order_by("pk").first()
        )
        monthly_report_return(user=reviewer, report=report, reason=RETURN_REASON)


def seed_leads(community: OrgUnit) -> None:
    """Leads at every step for the district to work through: reported, being verified, escalated to the
    city, filed as a case (with the reporter's reward) and dismissed."""
    if Lead.objects.filter(community=community).exclude(source=LeadSource.INSPECTOR).exists():
        return
    officer = User.objects.filter(org_unit_id=community.parent_id, role=Role.DISTRICT_OFFICER).order_by("pk")[
        0
    ]
    info = User.objects.get(username=f"info-{community.code}")
    shops = list(community.establishments.open().order_by("pk"))

    def report(text: str, shop: Establishment, **reporter) -> Lead:
        if "reporter" in reporter:
            reporter["source"] = LeadSource.INFO_OFFICER
        else:
            reporter["source"] = LeadSource.PUBLIC
        return leads.lead_report(community=community, establishment=shop, description=text, **reporter)

    report("有群众反映该店售卖的熟食有异味", shops[0], reporter_name="", reporter_phone="")
    leads.lead_verify(user=officer, lead=report("店内冰柜断电，冷冻食品解冻后再冻", shops[1], reporter=info))
    escalated = report("疑似销售假冒保健食品，宣称可治疗糖尿病", shops[9 % len(shops)], reporter=info)
    leads.lead_escalate(user=officer, lead=escalated, note="涉及虚假宣传，按事权报市局处理")
    filed = report("后厨使用过期食用油", shops[2], reporter_name="王女士", reporter_phone="13800000000")
    leads.lead_verify(user=officer, lead=filed)
    leads.lead_file(user=officer, lead=filed, note="现场查实，已立案调查")
    own = report("无证经营熟食摊点", shops[3], reporter=info)
    leads.lead_verify(user=officer, lead=own)
    leads.lead_file(user=officer, lead=own, note="已立案，责令停止经营")
    dismissed = report("怀疑药店销售过期药品", shops[4], reporter_name="匿名", reporter_phone="")
    leads.lead_dismiss(user=officer, lead=dismissed, reason="现场核查，所涉药品均在有效期内")


def seed_incidents(community: OrgUnit) -> None:
    """Two incidents: one first reported within the hour and closed, one reported late and still open."""
    if Incident.objects.filter(community=community).exists():
        return
    head = User.objects.get(username=f"head-{community.code}")
    now = timezone.now()
    shop = community.establishments.open().filter(category=Category.SCHOOL_CANTEEN).first()
    on_time = incidents.incident_report(
        user=head,
        unit_name=shop.name if shop else community.name,
        place=shop.address if shop else community.address,
        occurred_at=now - dt.timedelta(minutes=35),
        facts="午餐后 6 名学生出现腹痛、呕吐，已送医观察。",
        people_affected=6,
        establishment=shop,
    )
    incidents.incident_follow_up(user=head, incident=on_time, text="区所已到场，留样食品已封存送检。")
    incidents.incident_follow_up(
        user=head, incident=on_time, text="6 名学生已出院，检测结果未见致病菌，事件处置完毕。", is_final=True
    )
    late = incidents.incident_report(
        user=head,
        unit_name=f"{community.name}居民家庭聚餐",
        place=f"{community.name}3幢",
        occurred_at=now - dt.timedelta(hours=5),
        facts="家庭聚餐食用自采野生蘑菇，3 人出现恶心、头晕症状。",
        people_affected=3,
    )
    incidents.incident_follow_up(user=head, incident=late, text="3 人已就医，症状缓解，剩余蘑菇已收集待检。")
    # Wild mushrooms may poison more households than this one: the district sends it up to the city.
    officer = User.objects.get(username=f"dist-{community.parent.code}-1")
    incidents.incident_escalate(
        user=officer, incident=late, note="疑似野生菌中毒，毒蘑菇来源不明，可能涉及其他家庭，报市局协调排查。"
    )


# The district's patrol plans (seed 000 篇三): night checks (夜查) around markets and street stalls at
# least twice a month in every community, and a special campaign before school term with its own checks.
NIGHT_TARGET = 2
# Night checks on these days of the previous month; the third community of each district managed only
# the first, for the district's shortfall list to show it.
NIGHT_DAYS = (9, 23)
NIGHT_SHORT_COMMUNITY = 3
NIGHT_CATEGORIES = (Category.FOOD_SERVICE, Category.SMALL_WORKSHOP, Category.FOOD_RETAIL)
CAMPAIGN_NAME = "校园食品安全专项整治"
CAMPAIGN_ITEMS = (
    "食品原料进货查验记录和索证索票齐全",
    "每餐次食品留样不少于125克并保存48小时",
    "校园周边无销售“三无”食品和劣质辣条",
)
CAMPAIGN_CATEGORIES = (Category.SCHOOL_CANTEEN, Category.FOOD_RETAIL, Category.FOOD_SERVICE)
JOINT_DEPARTMENTS = "区市场监管局、区卫健局、区城管局"
# (sample, item, method, unit): what the rapid-test kit checks at a visit and in the district's room.
RAPID_SAMPLES = (
    ("青菜", "有机磷和氨基甲酸酯类农药残留", RapidTestMethod.ENZYME_INHIBITION, "%"),
    ("猪肉", "克伦特罗（瘦肉精）", RapidTestMethod.COLLOIDAL_GOLD, ""),
    ("豆芽", "亚硫酸盐", RapidTestMethod.TEST_STRIP, "mg/kg"),
    ("散装白酒", "甲醇", RapidTestMethod.TEST_STRIP, "g/L"),
)


def seed_patrol_plans(district: OrgUnit) -> SpecialCampaign:
    """The district's monthly target of night checks and its school-term campaign, through the services."""
    officer = User.objects.get(username=f"dist-{district.code}-1")
    campaigns.target_set(user=officer, kind=PatrolKind.NIGHT, monthly_minimum=NIGHT_TARGET)
    campaign = SpecialCampaign.objects.filter(district=district, name=CAMPAIGN_NAME).first()
    if campaign is None:
        first = history_start(timezone.localdate())
        campaign = campaigns.campaign_save(
            user=officer,
            name=CAMPAIGN_NAME,
            starts_on=first + dt.timedelta(days=10),
            ends_on=first + dt.timedelta(days=40),
            checklist_items=CAMPAIGN_ITEMS,
        )
    return campaign


def patrol_kinds_plan(number: int, today: dt.date) -> list[tuple[str, dt.date]]:
    """Which records besides the daily patrols a community keeps: its night checks, and in some
    communities a campaign record, a joint check with the departments or a holiday check."""
    last_month, this_month = history_start(today), today.replace(day=1)
    days = NIGHT_DAYS[:1] if number == NIGHT_SHORT_COMMUNITY else NIGHT_DAYS
    plan = [(PatrolKind.NIGHT, last_month + dt.timedelta(days=day - 1)) for day in days]
    if today.day > 3:
        plan.append((PatrolKind.NIGHT, this_month + dt.timedelta(days=1)))
    if number in (1, 2):
        plan.append((PatrolKind.CAMPAIGN, last_month + dt.timedelta(days=15 + number)))
    if number == 1:
        plan.append((PatrolKind.JOINT, last_month + dt.timedelta(days=12)))
    if number == 4:
        plan.append((PatrolKind.HOLIDAY, last_month + dt.timedelta(days=27)))
    return [(kind, day) for kind, day in plan if day < today]


def kind_shops(community: OrgUnit, kind: str, day: dt.date) -> list[Establishment]:
    """Two open establishments to visit on a record of `kind`: those whose last visit is this day or
    later, so the registry's last visits (and the daily history built from them) stay as they are."""
    shops = community.establishments.open().filter(last_visited_on__gte=day).order_by("pk")
    if kind == PatrolKind.NIGHT:
        shops = shops.filter(category__in=NIGHT_CATEGORIES)
    elif kind == PatrolKind.CAMPAIGN:
        shops = shops.filter(
            category__in=(Category.SCHOOL_CANTEEN, Category.FOOD_RETAIL, Category.FOOD_SERVICE)
        )
    return list(shops[:2])


def seed_patrol_kinds(community: OrgUnit, number: int, campaign: SpecialCampaign) -> None:
    """Night checks, campaign, joint and holiday records through the real services, each visited,
    submitted and reviewed on its day (the demo clock), with rapid tests at the visits: negative but
    for one positive per district (its first community's first night check), which opens a finding.

    Record ids derive from the community, the kind and the day: a second run adds nothing.
    """
    inspectors = list(User.objects.inspectors().filter(org_unit=community).order_by("username"))
    head = User.objects.get(org_unit=community, role=Role.COMMUNITY_HEAD)
    leader = User.objects.get(org_unit=community, role=Role.SUPERVISING_LEADER)
    today = timezone.localdate()
    # A positive result writes its finding's or lead's text in the district's language.
    with translation.override(settings.LANGUAGE_CODE), demo_clock() as clock:
        for position, (kind, day) in enumerate(patrol_kinds_plan(number, today)):
            key = f"{community.code}:{kind}:{day:%Y%m%d}"
            if Patrol.objects.filter(client_id=uuid.uuid5(DEMO_NAMESPACE, key)).exists():
                continue
            shops = kind_shops(community, kind, day)
            if not shops:
                continue
            night = kind == PatrolKind.NIGHT
            start = dt.time(20) if night else dt.time(9)
            clock.moment = timezone.make_aware(dt.datetime.combine(day, dt.time(23 if night else 17)))
            lead, partner = inspectors[(day.toordinal() + 1) % 2], inspectors[2]
            patrol, _created = records.patrol_start(
                user=lead,
                team=[partner],
                date=day,
                kind=kind,
                campaign=campaign if kind == PatrolKind.CAMPAIGN else None,
                joint_departments=JOINT_DEPARTMENTS if kind == PatrolKind.JOINT else "",
                notes="节前重点检查商超和餐饮单位" if kind == PatrolKind.HOLIDAY else "",
                client_id=uuid.uuid5(DEMO_NAMESPACE, key),
            )
            rng = rng_for(f"kinds:{key}")
            for n, shop in enumerate(shops):
                at = timezone.make_aware(dt.datetime.combine(day, start)) + dt.timedelta(minutes=40 * n)
                checklist = [{"item": item, "ok": True} for item in campaign.checklist_items]
                visit, _created = records.visit_record(
                    user=lead,
                    patrol=patrol,
                    establishment=shop,
                    result=VisitResult.COMPLIANT,
                    checklist=checklist if kind == PatrolKind.CAMPAIGN else (),
                    visited_at=at,
                    client_id=uuid.uuid5(DEMO_NAMESPACE, f"{key}:{n}"),
                )
                positive = number == 1 and position == 0 and n == 0
                sample, item, method, unit = RAPID_SAMPLES[rng.randrange(len(RAPID_SAMPLES))]
                rapid_test_on_visit(
                    user=lead,
                    visit=visit,
                    data=RapidTestInput(
                        tested_at=at + dt.timedelta(minutes=15),
                        sample=sample,
                        item=item,
                        method=method,
                        result=RapidTestResult.POSITIVE if positive else RapidTestResult.NEGATIVE,
                        value_unit=unit if positive else "",
                        value=Decimal("62.5") if positive and unit else None,
                        photo=demo_photo((240, 240, 230)) if positive else None,
                    ),
                )
            records.patrol_submit(user=lead, patrol=patrol)
            if (today - day).days > 2:
                records.patrol_approve(user=head, patrol=patrol)
                records.patrol_approve(user=leader, patrol=patrol)


def seed_rapid_test_room(district: OrgUnit) -> None:
    """Samples from the district's markets tested in its rapid-test room last month; one positive,
    which opens a lead of the district office about the shop it came from."""
    if RapidTest.objects.filter(district=district).exists():
        return
    officer = User.objects.get(username=f"dist-{district.code}-2")
    community = district.children.communities().order_by("code")[1]
    shops = list(
        community.establishments.open().filter(category=Category.FOOD_RETAIL).order_by("pk")[:2]
    ) or list(community.establishments.open().order_by("pk")[:2])
    first = history_start(timezone.localdate())
    # A positive result writes its finding's or lead's text in the district's language.
    with translation.override(settings.LANGUAGE_CODE), demo_clock() as clock:
        for n, (sample, item, method, _unit) in enumerate(RAPID_SAMPLES):
            positive = n == 1
            tested_at = timezone.make_aware(
                dt.datetime.combine(first + dt.timedelta(days=4 + 6 * n), dt.time(10))
            )
            clock.moment = tested_at + dt.timedelta(hours=1)
            rapid_test_in_room(
                user=officer,
                district=district,
                data=RapidTestInput(
                    tested_at=tested_at,
                    sample=sample,
                    item=item,
                    method=method,
                    result=RapidTestResult.POSITIVE if positive else RapidTestResult.NEGATIVE,
                ),
                establishment=shops[n % len(shops)],
                sample_source=f"{community.name}农贸市场抽样",
            )


def seed_watch_lists(district: OrgUnit) -> None:
    """The district puts its model shops on the red list and its worst offender on the black list
    (the day and reason stamped by the register's own path), then publishes both lists."""
    if WatchListPublication.objects.filter(district=district).exists():
        return
    officer = User.objects.get(username=f"dist-{district.code}-1")
    number, index = BLACK_LIST_SLOT
    black = Establishment.objects.filter(community__code=f"{district.code}{number:03d}").order_by("pk")[index]
    red = Establishment.objects.filter(community__parent=district).exclude(model_status="")
    # Listed yesterday (a shop's last visit may have been then, not later), published today.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with demo_clock() as clock:
        clock.moment = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(15)))
        if black.watch_list != WatchList.BLACK and black.status != Status.CLOSED:
            black.watch_list = WatchList.BLACK
            establishment_save(
                establishment=black, user=officer, reason="一年内三次检查发现违法违规行为，拒不整改"
            )
        for shop in red.exclude(status=Status.CLOSED).exclude(watch_list=WatchList.RED).order_by("pk"):
            shop.watch_list = WatchList.RED
            establishment_save(
                establishment=shop, user=officer, reason="连续两年巡查无问题，评为放心消费示范店"
            )
    watch_lists.watch_list_publish(user=officer, district=district)


def seed_grading_target(district: OrgUnit) -> None:
    """Every food-service establishment graded (100 %) by the end of next quarter, as the district set."""
    if GradingTarget.objects.filter(district=district).exists():
        return
    officer = User.objects.get(username=f"dist-{district.code}-1")
    today = timezone.localdate()
    deadline = schedule.add_months(today.replace(day=1), 4) - dt.timedelta(days=1)
    grading_target_set(user=officer, target_percent=100, deadline=deadline)


def seed_articles(community: OrgUnit, number: int) -> None:
    """Articles on activities: one sent the day after the activity (on time), one a week later (late)."""
    if Article.objects.filter(community=community).exists():
        return
    info = User.objects.get(username=f"info-{community.code}")
    today = timezone.localdate()
    on_time = article_submit(
        user=info,
        title=f"{community.name}开展食品安全进校园宣传活动",
        activity_ended_on=today - dt.timedelta(days=1),
        body="社区巡查员走进辖区小学，为学生讲解食品安全知识，发放宣传册 200 份。",
    )
    # 文字、图片、视频: the activity's picture goes with the article, before the district forwards it.
    article_media_add(user=info, article=on_time, pictures=[demo_photo((230, 160, 40))])
    article_submit(
        user=info,
        title=f"{community.name}组织过期药品回收活动",
        activity_ended_on=today - dt.timedelta(days=6 + number),
        body="社区在居委会门口设点回收过期药品，共回收过期药品 36 盒。",
    )
    if number == 1:
        officer = User.objects.filter(org_unit_id=community.parent_id, role=Role.DISTRICT_OFFICER).order_by(
            "pk"
        )[0]
        article_forward(user=officer, article=on_time)


def seed_model_units(district: OrgUnit) -> None:
    """The plan's targets for the year, with candidates accepted, being assessed and put forward."""
    year = timezone.localdate().year
    if ModelTarget.objects.filter(district=district, year=year).exists():
        return
    officer = User.objects.filter(org_unit=district, role=Role.DISTRICT_OFFICER).order_by("pk")[0]
    model_units.model_targets_from_plan(user=officer, district=district, year=year)
    # The plan's training targets (seed 000 篇三): 10 staff sessions, 6 for information officers,
    # 40 hours a year per food worker, a drill in every community.
    for measure, audience, target in (
        ("sessions", "staff", 10),
        ("sessions", "info_officers", 6),
        ("hours", "food_workers", 40),
        ("hours", "staff", 16),
        ("drills", "", 1),
    ):
        training_target_set(
            user=officer, district=district, year=year, measure=measure, audience=audience, target=target
        )
    targets = {t.category: t for t in ModelTarget.objects.filter(district=district, year=year)}
    communities = list(district.children.communities().order_by("code"))
    steps = (CandidateStatus.ACCEPTED, CandidateStatus.ASSESSING, CandidateStatus.CANDIDATE)
    for community, status in zip(communities, steps, strict=False):
        candidate = model_units.model_candidate_add(
            user=officer, target=targets[ModelCategory.COMMUNITY], name=community.name, community=community
        )
        model_units.model_candidate_set_status(user=officer, candidate=candidate, status=status)
    for category, registry in (
        (ModelCategory.FOOD_SERVICE, Category.FOOD_SERVICE),
        (ModelCategory.PHARMACY, Category.PHARMACY),
    ):
        shops = Establishment.objects.filter(
            community__parent=district, category=registry, status=Status.OPEN
        )
        for shop, status in zip(shops.order_by("pk")[:3], steps, strict=False):
            candidate = model_units.model_candidate_add(
                user=officer, target=targets[category], name=shop.name, establishment=shop
            )
            model_units.model_candidate_set_status(user=officer, candidate=candidate, status=status)


def seed_assessment(district: OrgUnit) -> None:
    """In the year-end window, the district's assessment of its first community, part scored."""
    if not in_window(timezone.localdate()):
        return
    officer = User.objects.filter(org_unit=district, role=Role.DISTRICT_OFFICER).order_by("pk")[0]
    community = district.children.communities().order_by("code")[0]
    assessment = assessments.assessment_start(user=officer, tier=Tier.COMMUNITY, assessee_unit=community)
    if assessment.items.filter(updated_by__isnull=False).exists():
        return
    by_hand = assessment.items.filter(metric="").order_by("position").first()
    if by_hand is not None:
        assessments.assessment_item_score(
            user=officer, item=by_hand, score=by_hand.points * Decimal("0.8"), note="听取工作报告，材料齐全"
        )
    check = assessment.checks.order_by("pk").first()
    if check is not None:
        assessments.sample_check_record(
            user=officer, check=check, score=Decimal(88), note="现场抽查巡查记录规范"
        )


class Command(BaseCommand):
    help = "生成演示数据：一个市、三个区、十二个社区、各级用户和经营主体（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="DEBUG=False 时也执行（慎用）。")
        parser.add_argument("--url", default=SITE_URL, help="打印的登录地址（make run 传入所用端口）。")

    def handle(self, *args, force: bool = False, url: str = SITE_URL, **options) -> None:
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
        self.print_logins(logins, url)

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
            campaign = seed_patrol_plans(district)
            for number, short_name in enumerate(community_names, start=1):
                community = self.seed_community(district, number, short_name, streets, password_hash)
                grids = list(community.children.filter(kind=OrgUnitKind.GRID))
                created += seed_establishments(community, number, streets, grids, admin)
                seed_patrol_history(community)
                seed_patrol_kinds(community, number, campaign)
                seed_publicity(community, number)
                seed_articles(community, number)
                if number == 1:
                    seed_leads(community)
                    seed_incidents(community)
                habit = REPORT_HABITS[(number + int(district_code[-1])) % len(REPORT_HABITS)]
                head = User.objects.get(username=f"head-{community.code}")
                seed_report(community, periods.previous_period(timezone.localdate()), habit, head, NARRATIVE)
                if number == 1:
                    rows += [
                        (f"insp-{community.code}-1", f"{Role.INSPECTOR.label} · {community.name}"),
                        (f"head-{community.code}", f"{Role.COMMUNITY_HEAD.label} · {community.name}"),
                        (f"leader-{community.code}", f"{Role.SUPERVISING_LEADER.label} · {community.name}"),
                    ]
            seed_rapid_test_room(district)
            seed_watch_lists(district)
            seed_grading_target(district)
            seed_model_units(district)
            seed_assessment(district)
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

    def print_logins(self, logins: list[tuple[str, list[tuple[str, str]]]], url: str) -> None:
        self.stdout.write(f"\n演示账号（统一密码：{PASSWORD}）  登录地址：{url}")
        for heading, rows in logins:
            self.stdout.write(f"  【{heading}】")
            for username, label in rows:
                self.stdout.write(f"    {username:<20} {label}")
        self.stdout.write("  其他社区账号同理：insp-<社区代码>-1..3、head-、leader-、info-、vol-<社区代码>。")

"""A small town with one of every record, all belonging to community A, made through the services.

The permission matrix and the API fuzzing build on it: every URL is filled with an object of
community A, so the inspector of community B and the officer of district C must be refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw

from assessment import services as assessment_services
from assessment.models import Assessment, CriteriaSheet, Tier
from notifications.models import GroupRobot, Notification, RobotKind
from notifications.services import group_robot_save
from orgs.models import OrgUnit, Role, User
from orgs.tokens import api_token_create
from patrols.models import (
    Category,
    Establishment,
    EstablishmentChangeProposal,
    Finding,
    FindingCategory,
    FindingKind,
    Incident,
    Lead,
    LeadSource,
    Patrol,
    Photo,
    RectificationEvidence,
    Reward,
    Severity,
    Visit,
    VisitResult,
)
from patrols.schedule import add_months
from patrols.services import incidents as incident_services
from patrols.services import leads as lead_services
from patrols.services import records as services
from patrols.services.proposals import establishment_change_propose
from patrols.services.rectifications import rectification_evidence_add
from publicity import model_units
from publicity import services as publicity_services
from publicity.models import (
    Activity,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    Campaign,
    CollectionBox,
    ModelCandidate,
    ModelTarget,
    TrainingSession,
)
from reporting import periods
from reporting import services as reporting_services
from reporting.models import Article, ArticleMedia, MonthlyReport, StoredSummary
from tests.factories import (
    CityFactory,
    CommunityFactory,
    DistrictFactory,
    EstablishmentFactory,
    UserFactory,
)


def jpeg_upload(name: str = "photo.jpg", size: tuple[int, int] = (64, 48), exif: bytes | None = None):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 60, 40))
    if exif is None:
        image.save(buffer, "JPEG")
    else:
        image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def signature_png() -> bytes:
    """A signature as the signing pad sends it: a PNG with a stroke drawn on it."""
    image = Image.new("RGB", (300, 110), "white")
    ImageDraw.Draw(image).line([(20, 80), (120, 20), (200, 90), (280, 30)], fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signature_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png()).decode("ascii")


@dataclass
class World:
    community_a: OrgUnit
    district_a: OrgUnit
    users: dict[str, User]
    shop: Establishment
    pharmacy: Establishment
    draft: Patrol
    visit: Visit
    photo: Photo
    finding: Finding
    # A risk at a third shop found by partner A, with a photo of the fix: inspector A may follow it up.
    rectification: Finding
    evidence: RectificationEvidence
    submitted: Patrol
    archived: Patrol
    archived_visit: Visit
    lead: Lead
    reward: Reward
    incident: Incident
    report: MonthlyReport
    submitted_report: MonthlyReport
    locked_period: dt.date
    article: Article
    article_picture: ArticleMedia
    notification: Notification
    board: BoardUpdate
    activity: Activity
    brochure: BrochureDrop
    training: TrainingSession
    box: CollectionBox
    collection: BoxCollection
    campaign: Campaign
    target: ModelTarget
    candidate: ModelCandidate
    # Inspector A's proposal to put the shop on the black list, waiting for the district.
    proposal: EstablishmentChangeProposal
    # The key of one of inspector A's API tokens.
    api_token_key: str
    # District A's assessment of community A, under way: every item scored and the sampled
    # inspector checked, so that only submitting is left.
    assessment: Assessment
    # Community A's assessment of its inspector A, submitted (frozen): the inspector's own result.
    inspector_assessment: Assessment
    # Community A's criteria sheet for its inspectors, and district A's for its communities.
    criteria_sheet: CriteriaSheet
    district_sheet: CriteriaSheet
    # District A's monthly summary as made and sent after the deadline.
    stored_summary: StoredSummary
    # Community A's WeCom group robot, set by its head.
    robot: GroupRobot


def assessment_window_open_on(day: dt.date) -> dict[str, int]:
    """An ASSESSMENT_WINDOW (settings) that is open on `day`: the whole of its month."""
    return {"month": day.month, "first_day": 1, "last_day": 31}


def _patrol(inspector: User, partner: User, shop: Establishment, days_ago: int) -> tuple[Patrol, Visit]:
    date = timezone.localdate() - dt.timedelta(days=days_ago)
    patrol, _created = services.patrol_start(user=inspector, team=[partner], date=date)
    visit, _created = services.visit_record(
        user=inspector, patrol=patrol, establishment=shop, result=VisitResult.COMPLIANT, findings=""
    )
    return patrol, visit


def _reopened_report(officer: User, community: OrgUnit, period: dt.date) -> MonthlyReport:
    until = timezone.localdate() + dt.timedelta(days=30)
    reporting_services.monthly_report_reopen(
        user=officer, unit=community, period=period, reason="补报", until=until
    )
    return MonthlyReport.objects.get(unit=community, period=period)


def _assessments(
    officer: User, head: User, inspector: User, community: OrgUnit
) -> tuple[Assessment, Assessment]:
    """District A's assessment of the community (left open, ready to submit) and the community's
    assessment of its inspector (submitted), made through the services in an open window."""
    with override_settings(ASSESSMENT_WINDOW=assessment_window_open_on(timezone.localdate())):
        of_community = assessment_services.assessment_start(
            user=officer, tier=Tier.COMMUNITY, assessee_unit=community
        )
        for item in of_community.items.filter(score__isnull=True):
            assessment_services.assessment_item_score(user=officer, item=item, score=item.points)
        for check in of_community.checks.all():
            assessment_services.sample_check_record(user=officer, check=check, score=Decimal(90))
        of_inspector = assessment_services.assessment_start(
            user=head, tier=Tier.INSPECTOR, assessee_unit=community, assessee_user=inspector
        )
        for item in of_inspector.items.filter(score__isnull=True):
            assessment_services.assessment_item_score(user=head, item=item, score=item.points)
        assessment_services.assessment_submit(user=head, assessment=of_inspector)
    of_community.refresh_from_db()
    of_inspector.refresh_from_db()
    return of_community, of_inspector


def _stored_summary(district: OrgUnit, period: dt.date) -> StoredSummary:
    summary = StoredSummary(unit=district, period=period)
    content = b"%PDF-1.4\n% security world: a stored summary\n%%EOF\n"
    summary.file.save(f"{district.code}.pdf", ContentFile(content), save=False)
    summary.save()
    return summary


def build_world() -> World:
    """The org tree of tests/conftest.py, people of every role (A's community, B's, district A and
    C, the city, an admin) and community A's records."""
    city = CityFactory()
    district_a = DistrictFactory(parent=city, code="330101", name="东城区")
    district_c = DistrictFactory(parent=city, code="330102", name="西湖区")
    community_a = CommunityFactory(parent=district_a, code="330101001", name="翠苑社区")
    community_b = CommunityFactory(parent=district_a, code="330101002", name="文新社区")
    CommunityFactory(parent=district_c, code="330102001", name="北山社区")
    people = {
        "inspector_a": UserFactory(username="inspector_a", role=Role.INSPECTOR, org_unit=community_a),
        "partner_a": UserFactory(username="partner_a", role=Role.INSPECTOR, org_unit=community_a),
        "inspector_b": UserFactory(username="inspector_b", role=Role.INSPECTOR, org_unit=community_b),
        "head_a": UserFactory(
            username="head_a", role=Role.COMMUNITY_HEAD, org_unit=community_a, certificate_no=""
        ),
        "leader_a": UserFactory(
            username="leader_a", role=Role.SUPERVISING_LEADER, org_unit=community_a, certificate_no=""
        ),
        "officer_a": UserFactory(
            username="officer_a", role=Role.DISTRICT_OFFICER, org_unit=district_a, certificate_no=""
        ),
        "officer_c": UserFactory(
            username="officer_c",
            role=Role.DISTRICT_OFFICER,
            org_unit=district_c,
            certificate_no="",
        ),
        "city_officer": UserFactory(
            username="city_officer", role=Role.CITY_OFFICER, org_unit=city, certificate_no=""
        ),
        "admin": UserFactory(
            username="admin",
            role=Role.ADMIN,
            org_unit=city,
            certificate_no="",
            is_staff=True,
            is_superuser=True,
        ),
    }
    inspector, partner = people["inspector_a"], people["partner_a"]
    head, leader, officer = people["head_a"], people["leader_a"], people["officer_a"]
    shop = EstablishmentFactory(
        community=community_a,
        name="张记面馆",
        category=Category.FOOD_RETAIL,
        latitude=Decimal("30.259000"),
        longitude=Decimal("120.130000"),
    )
    pharmacy = EstablishmentFactory(community=community_a, name="翠苑大药房", category=Category.PHARMACY)
    today = timezone.localdate()

    archived, archived_visit = _patrol(inspector, partner, shop, days_ago=3)
    # The shop signed the record of the archived visit; the draft's visit is still to be signed.
    archived_visit = services.visit_shop_sign(
        user=inspector, visit=archived_visit, signer_name="张老板", signature=signature_png()
    )
    services.patrol_submit(user=inspector, patrol=archived)
    services.patrol_approve(user=head, patrol=archived)
    services.patrol_approve(user=leader, patrol=archived)
    archived.refresh_from_db()

    submitted, _visit = _patrol(inspector, partner, shop, days_ago=2)
    services.patrol_submit(user=inspector, patrol=submitted)
    submitted.refresh_from_db()

    draft = services.patrol_start(user=inspector, team=[partner])[0]
    visit, _created = services.visit_record(
        user=inspector,
        patrol=draft,
        establishment=shop,
        result=VisitResult.ISSUES,
        findings="冰柜温度过高",
        # Saved 2 km from the shop's registered position: marked for the reviewer.
        position=services.Position(Decimal("30.277000"), Decimal("120.130000"), Decimal("30.0")),
        finding_items=[
            services.FindingInput(
                kind=FindingKind.SAFETY_RISK, category=FindingCategory.STORAGE, description="冰柜温度过高"
            )
        ],
    )
    photo, _created = services.photo_add(user=inspector, visit=visit, upload=jpeg_upload())
    bakery = EstablishmentFactory(community=community_a, name="翠苑面包房", category=Category.FOOD_RETAIL)
    risk_visit, _created = services.visit_record(
        user=partner,
        patrol=draft,
        establishment=bakery,
        result=VisitResult.ISSUES,
        findings="操作间地面积水",
        finding_items=[
            services.FindingInput(
                kind=FindingKind.SAFETY_RISK,
                category=FindingCategory.HYGIENE,
                description="操作间地面积水",
                severity=Severity.MAJOR,
            )
        ],
    )
    rectification = risk_visit.finding_set.get()
    evidence, _created = rectification_evidence_add(user=partner, finding=rectification, upload=jpeg_upload())

    lead = lead_services.lead_report(
        reporter=inspector, community=community_a, description="售卖过期食品", source=LeadSource.INSPECTOR
    )
    filed = lead_services.lead_report(
        reporter=inspector, community=community_a, description="无证行医", source=LeadSource.INSPECTOR
    )
    lead_services.lead_verify(user=officer, lead=filed)
    lead_services.lead_file(user=officer, lead=filed)

    incident = incident_services.incident_report(
        user=inspector,
        unit_name="翠苑小学食堂",
        place="翠苑小学",
        occurred_at=timezone.now() - dt.timedelta(minutes=30),
        facts="多名学生腹泻",
        people_affected=5,
    )
    # Months long past their deadline, so the world does not depend on the day it is built: one
    # reopened by the district (so it can be submitted), one reopened and submitted (so it can be
    # returned), and one still locked (so it can be reopened).
    this_month = periods.period_of(today)
    report = _reopened_report(officer, community_a, add_months(this_month, -2))
    submitted_report = _reopened_report(officer, community_a, add_months(this_month, -3))
    reporting_services.monthly_report_submit(user=head, report=submitted_report, narrative="本月巡查正常")
    submitted_report.refresh_from_db()
    article = reporting_services.article_submit(
        user=inspector, title="3·15 宣传活动", activity_ended_on=today, body="社区开展了宣传活动。"
    )
    (article_picture,) = reporting_services.article_media_add(
        user=inspector, article=article, pictures=[jpeg_upload()]
    )

    board = publicity_services.publicity_record_add(
        user=inspector,
        record=BoardUpdate(kind="bulletin", date=today, summary="食品安全专栏"),
        photo=jpeg_upload(),
    )
    activity = publicity_services.publicity_record_add(
        user=inspector,
        record=Activity(title="安全用药宣传", date=today, place="社区广场", attendance=30, summary=""),
        photo=jpeg_upload(),
    )
    brochure = publicity_services.publicity_record_add(
        user=inspector, record=BrochureDrop(date=today, households=20, copies=40)
    )
    training = publicity_services.publicity_record_add(
        user=inspector, record=TrainingSession(date=today, topic="食品安全知识", attendance=12)
    )
    box = publicity_services.collection_box_add(
        user=inspector, box=CollectionBox(location="社区服务中心", pharmacy=pharmacy, installed_on=today)
    )
    collection = publicity_services.box_collection_add(
        user=inspector, collection=BoxCollection(box=box, date=today, items=8)
    )
    campaign = publicity_services.campaign_add(
        user=officer, campaign=Campaign(name="东城区食品安全月", starts_on=today, ends_on=today)
    )
    model_units.model_targets_from_plan(user=officer, district=district_a, year=today.year)
    target = ModelTarget.objects.filter(district=district_a, year=today.year).order_by("pk").first()
    candidate = model_units.model_candidate_add(
        user=officer, target=target, name="翠苑社区", community=community_a
    )
    assessment, inspector_assessment = _assessments(officer, head, inspector, community_a)
    stored_summary = _stored_summary(district_a, add_months(this_month, -1))
    proposal = establishment_change_propose(
        user=inspector, establishment=shop, changes={"watch_list": "black"}, reason="多次投诉"
    )
    api_token, _secret = api_token_create(user=inspector)
    Notification.objects.create(recipient=inspector, title="测试通知", link="/patrols/")
    robot = group_robot_save(
        user=head,
        unit=community_a,
        kind=RobotKind.WECOM,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=world-robot-key-0001",
    )

    return World(
        community_a=community_a,
        district_a=district_a,
        users=people,
        shop=shop,
        pharmacy=pharmacy,
        draft=draft,
        visit=visit,
        photo=photo,
        finding=Finding.objects.get(visit=visit),
        rectification=rectification,
        evidence=evidence,
        submitted=submitted,
        archived=archived,
        archived_visit=archived_visit,
        lead=lead,
        reward=Reward.objects.get(lead=filed),
        incident=incident,
        report=report,
        submitted_report=submitted_report,
        locked_period=add_months(this_month, -4),
        article=article,
        article_picture=article_picture,
        notification=Notification.objects.filter(recipient=inspector).order_by("-pk").first(),
        board=board,
        activity=activity,
        brochure=brochure,
        training=training,
        box=box,
        collection=collection,
        campaign=campaign,
        target=target,
        candidate=candidate,
        proposal=proposal,
        api_token_key=api_token.token_key,
        assessment=assessment,
        inspector_assessment=inspector_assessment,
        criteria_sheet=inspector_assessment.sheet,
        district_sheet=assessment.sheet,
        stored_summary=stored_summary,
        robot=robot,
    )

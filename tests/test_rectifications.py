"""Rectification of safety risks (整改, §4): severity, owner, evidence, follow-up, timeline, escalation."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from notifications.models import Notification, Reminder, ReminderKind
from orgs.models import Role
from patrols import tasks
from patrols.models import (
    Escalation,
    Finding,
    FindingStatus,
    RectificationEvidence,
    RectificationPolicy,
    Severity,
    StepKind,
)
from patrols.services import records
from patrols.services.rectifications import rectification_evidence_add, rectification_follow_up
from tests.factories import EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 2)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def jpeg(name: str = "fixed.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 160, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shop(community_a):
    return EstablishmentFactory(
        community=community_a, name="张记面馆", legal_representative="张三", phone="13800000001"
    )


def find_risk(clock, finder, partner, shop, *, severity=Severity.MINOR, day=DAY, deadline=None) -> Finding:
    """A safety risk found by `finder` at a visit on `day`."""
    clock.set(at(day, 9))
    patrol = records.patrol_start(user=finder, team=[partner], date=day)[0]
    clock.set(at(day, 10))
    visit = records.visit_record(
        user=finder,
        patrol=patrol,
        establishment=shop,
        visited_at=at(day, 10),
        result="issues",
        finding_items=[
            records.FindingInput(
                kind="safety_risk",
                category="hygiene",
                description="后厨卫生差",
                severity=severity,
                rectification_deadline=deadline,
            )
        ],
    )[0]
    return visit.finding_set.get()


def steps(finding: Finding) -> list[str]:
    return list(finding.steps.values_list("kind", flat=True))


# Severity, deadline and owner


def test_severity_sets_the_deadline_and_the_shop_owns_the_rectification(
    clock, inspector_a, partner_a, shop, community_a
):
    serious = find_risk(clock, inspector_a, partner_a, shop, severity=Severity.SERIOUS)
    assert serious.rectification_deadline == DAY + dt.timedelta(days=1)
    assert (serious.owner_name, serious.owner_phone) == ("张三", "13800000001")
    assert serious.found_by == inspector_a
    opened = serious.steps.get()
    assert (opened.kind, opened.actor, opened.at) == (StepKind.OPENED, inspector_a, at(DAY, 10))

    other = EstablishmentFactory(community=community_a)
    major = find_risk(
        clock, inspector_a, partner_a, other, severity=Severity.MAJOR, day=DAY + dt.timedelta(1)
    )
    assert major.rectification_deadline == DAY + dt.timedelta(days=1 + 3)


def test_a_district_sets_its_own_days_per_severity(clock, inspector_a, partner_a, shop, district_a):
    RectificationPolicy.objects.create(district=district_a, serious_days=2, minor_days=10)
    serious = find_risk(clock, inspector_a, partner_a, shop, severity=Severity.SERIOUS)
    assert serious.rectification_deadline == DAY + dt.timedelta(days=2)


def test_the_district_office_sets_its_rules_on_a_page(
    clock, client, inspector_a, partner_a, shop, district_officer_a, district_a
):
    client.force_login(inspector_a)
    assert client.get(reverse("patrols:rectification_rules")).status_code == 403
    client.force_login(district_officer_a)
    url = reverse("patrols:rectification_rules")
    assert "重大隐患整改天数" in client.get(url).content.decode()
    refused = client.post(
        url, {"minor_days": 7, "major_days": 3, "serious_days": 0, "district_after_days": 3}
    )
    assert refused.status_code == 400 and not RectificationPolicy.objects.exists()
    client.post(url, {"minor_days": 7, "major_days": 3, "serious_days": 2, "district_after_days": 5})
    assert RectificationPolicy.objects.get(district=district_a).serious_days == 2
    serious = find_risk(clock, inspector_a, partner_a, shop, severity=Severity.SERIOUS)
    assert serious.rectification_deadline == DAY + dt.timedelta(days=2)


def test_a_deadline_given_wins_over_the_severitys(clock, inspector_a, partner_a, shop):
    finding = find_risk(
        clock, inspector_a, partner_a, shop, severity=Severity.SERIOUS, deadline=dt.date(2026, 11, 20)
    )
    assert finding.rectification_deadline == dt.date(2026, 11, 20)


def test_the_visit_api_takes_the_severity(clock, api, inspector_a, partner_a, shop):
    clock.set(at(DAY, 9))
    patrol = records.patrol_start(user=inspector_a, team=[partner_a], date=DAY)[0]
    api.force_authenticate(inspector_a)
    item = {"kind": "safety_risk", "category": "storage", "description": "冰柜温度过高", "severity": 2}
    body = {
        "patrol": str(patrol.client_id),
        "establishment": shop.pk,
        "result": "issues",
        "finding_items": [item],
    }
    response = api.post(reverse("visit-list"), body, format="json")
    assert response.status_code == 201, response.content
    finding = Finding.objects.get()
    assert finding.severity == Severity.MAJOR and finding.rectification_deadline == DAY + dt.timedelta(days=3)
    assert response.json()["findings_recorded"][0]["severity"] == 2
    item["severity"] = 7
    body.update(establishment=EstablishmentFactory(community=shop.community).pk, finding_items=[item])
    assert api.post(reverse("visit-list"), body, format="json").status_code == 400


def test_the_visit_form_takes_the_severity(clock, client, inspector_a, partner_a, shop):
    clock.set(at(DAY, 9))
    patrol = records.patrol_start(user=inspector_a, team=[partner_a], date=DAY)[0]
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol.pk, shop.pk])
    form = {
        "client_id": "6f1c4f8e-2f55-4c5e-9a7b-3f0d2a4c9e12",
        "result": "issues",
        "findings": "灭火器过期",
        "finding_kind": "safety_risk",
        "finding_category": "other",
        "severity": "3",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    finding = Finding.objects.get()
    assert finding.severity == Severity.SERIOUS and finding.rectification_deadline == DAY + dt.timedelta(
        days=1
    )


def test_the_list_puts_the_most_severe_first_then_the_nearest_deadline(
    clock, client, api, inspector_a, partner_a, community_a
):
    shops = [
        EstablishmentFactory(community=community_a, name=name)
        for name in ("一般店", "重大店", "较大店", "早到店")
    ]
    find_risk(clock, inspector_a, partner_a, shops[0], severity=Severity.MINOR, day=DAY)
    find_risk(clock, inspector_a, partner_a, shops[1], severity=Severity.SERIOUS, day=DAY + dt.timedelta(1))
    find_risk(clock, inspector_a, partner_a, shops[2], severity=Severity.MAJOR, day=DAY + dt.timedelta(2))
    find_risk(
        clock,
        inspector_a,
        partner_a,
        shops[3],
        severity=Severity.MAJOR,
        day=DAY + dt.timedelta(3),
        deadline=DAY + dt.timedelta(4),
    )
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:finding_list")).content.decode()
    order = sorted(("一般店", "重大店", "较大店", "早到店"), key=page.index)
    assert order == ["重大店", "早到店", "较大店", "一般店"]
    assert "张三" not in page and "较大" in page
    api.force_authenticate(inspector_a)
    listed = api.get(
        reverse("finding-list"), {"status": "open", "ordering": "-severity,rectification_deadline"}
    )
    assert [row["severity"] for row in listed.json()["results"]] == [3, 2, 2, 1]


# Evidence and follow-up


def test_closing_without_evidence_is_refused_and_with_it_the_fix_is_closed(
    clock, client, inspector_a, partner_a, shop
):
    finding = find_risk(clock, inspector_a, partner_a, shop)
    clock.set(at(DAY + dt.timedelta(days=3)))
    client.force_login(partner_a)
    url = reverse("patrols:finding_follow_up", args=[finding.pk])
    page = client.post(url, {"passed": "yes", "note": "已整改"}, follow=True).content.decode()
    assert "请先上传整改到位的照片" in page
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN and steps(finding) == [StepKind.OPENED]

    client.post(reverse("patrols:finding_evidence_add", args=[finding.pk]), {"image": jpeg()})
    assert finding.evidence.count() == 1
    clock.set(at(DAY + dt.timedelta(days=3), 11))
    client.post(url, {"passed": "yes", "note": "已整改"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED and finding.closed_at == at(DAY + dt.timedelta(days=3), 11)
    assert steps(finding) == [StepKind.OPENED, StepKind.EVIDENCE, StepKind.PASSED, StepKind.CLOSED]
    page = client.get(reverse("patrols:finding_detail", args=[finding.pk])).content.decode()
    for label in ("开始整改", "上传整改照片", "复查通过", "整改关闭"):
        assert label in page
    assert reverse("patrols:finding_evidence_file", args=[finding.evidence.get().pk]) in page


def test_the_finder_may_not_confirm_their_own_fix_when_the_community_has_another_inspector(
    clock, inspector_a, partner_a, shop
):
    finding = find_risk(clock, inspector_a, partner_a, shop)
    rectification_evidence_add(user=inspector_a, finding=finding, upload=jpeg())
    with pytest.raises(ValidationError, match="另一名巡查员"), _in_chinese():
        rectification_follow_up(user=inspector_a, finding=finding, passed=True)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    # A follow-up visit (回头看) by the finder is refused by the same rule.
    clock.set(at(DAY + dt.timedelta(days=1), 9))
    patrol = records.patrol_start(user=inspector_a, team=[partner_a], date=DAY + dt.timedelta(days=1))[0]
    with pytest.raises(ValidationError):
        records.visit_record(
            user=inspector_a,
            patrol=patrol,
            establishment=shop,
            result="compliant",
            follow_up_of=finding,
            rectified=True,
        )
    records.visit_record(
        user=partner_a,
        patrol=patrol,
        establishment=shop,
        result="compliant",
        follow_up_of=finding,
        rectified=True,
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED
    assert finding.steps.get(kind=StepKind.PASSED).actor == partner_a


def test_the_only_inspector_may_confirm_their_own_fix_and_the_step_says_so(
    clock, client, inspector_a, partner_a, shop
):
    finding = find_risk(clock, inspector_a, partner_a, shop)
    partner_a.is_active = False
    partner_a.save(update_fields=["is_active"])
    rectification_evidence_add(user=inspector_a, finding=finding, upload=jpeg())
    with _in_chinese():
        rectification_follow_up(user=inspector_a, finding=finding, passed=True, note="已清洁")
    passed = finding.steps.get(kind=StepKind.PASSED)
    assert passed.actor == inspector_a and passed.by_finder and passed.note == "已清洁"
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:finding_detail", args=[finding.pk])).content.decode()
    assert "由发现人复查（本社区唯一巡查员）" in page


def test_a_failed_follow_up_sets_a_new_deadline_by_severity(clock, inspector_a, partner_a, shop):
    finding = find_risk(clock, inspector_a, partner_a, shop, severity=Severity.MAJOR)
    later = DAY + dt.timedelta(days=5)
    clock.set(at(later))
    tasks.rectification_escalations(later.isoformat())
    rectification_follow_up(user=partner_a, finding=finding, passed=False, note="仍未整改")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert finding.rectification_deadline == later + dt.timedelta(days=3)
    assert finding.escalation == Escalation.NONE
    assert steps(finding) == [StepKind.OPENED, StepKind.ESCALATED_HEAD, StepKind.FAILED]


def test_evidence_is_a_real_photo_and_bounded(clock, api, inspector_a, partner_a, shop, settings):
    finding = find_risk(clock, inspector_a, partner_a, shop)
    api.force_authenticate(partner_a)
    url = reverse("finding-evidence", args=[finding.pk])
    fake = SimpleUploadedFile("fixed.jpg", b"not an image", content_type="image/jpeg")
    assert api.post(url, {"image": fake}, format="multipart").status_code == 400
    for _n in range(9):
        assert api.post(url, {"image": jpeg()}, format="multipart").status_code == 201
    assert api.post(url, {"image": jpeg()}, format="multipart").status_code == 400
    assert RectificationEvidence.objects.filter(finding=finding).count() == 9


def test_the_api_follows_up_and_shows_the_timeline(clock, api, inspector_a, partner_a, shop):
    finding = find_risk(clock, inspector_a, partner_a, shop)
    api.force_authenticate(partner_a)
    follow_up = reverse("finding-follow-up", args=[finding.pk])
    assert api.post(follow_up, {"passed": True}, format="json").status_code == 400
    api.post(reverse("finding-evidence", args=[finding.pk]), {"image": jpeg()}, format="multipart")
    response = api.post(follow_up, {"passed": True, "note": "已整改"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed" and len(body["evidence"]) == 1
    assert [step["kind"] for step in body["steps"]] == ["opened", "evidence", "passed", "closed"]
    assert body["steps"][2]["actor"] == partner_a.pk


# Escalation


def test_overdue_climbs_to_the_head_on_day_one_and_the_district_after_the_districts_days(
    clock, inspector_a, partner_a, shop, head_a, district_officer_a, district_a
):
    RectificationPolicy.objects.create(district=district_a, district_after_days=2)
    finding = find_risk(clock, inspector_a, partner_a, shop, deadline=dt.date(2026, 11, 9))
    for day in (dt.date(2026, 11, 9), dt.date(2026, 11, 10), dt.date(2026, 11, 11)):
        clock.set(at(day, 8))
        tasks.rectification_escalations(day.isoformat())
        tasks.rectification_escalations(day.isoformat())  # a second beat tick sends nothing more
    finding.refresh_from_db()
    assert finding.escalation == Escalation.COMMUNITY_HEAD
    assert Notification.objects.filter(recipient=head_a, title__contains="张记面馆").count() == 1
    assert not Notification.objects.filter(recipient=district_officer_a).exists()
    assert finding.steps.get(kind=StepKind.ESCALATED_HEAD).at == at(dt.date(2026, 11, 10), 8)

    clock.set(at(dt.date(2026, 11, 12), 8))
    assert tasks.rectification_escalations("2026-11-12") == 1
    assert tasks.rectification_escalations("2026-11-12") == 0
    finding.refresh_from_db()
    assert finding.escalation == Escalation.DISTRICT
    notice = Notification.objects.get(recipient=district_officer_a)
    assert notice.urgent and notice.link == reverse("patrols:finding_detail", args=[finding.pk])
    assert Reminder.objects.filter(kind=ReminderKind.RECTIFICATION_OVERDUE).count() == 2
    assert steps(finding) == [StepKind.OPENED, StepKind.ESCALATED_HEAD, StepKind.ESCALATED_DISTRICT]
    assert Notification.objects.filter(recipient=head_a, title__contains="张记面馆").count() == 1


def test_a_long_overdue_risk_takes_both_steps_on_one_run(
    clock, inspector_a, partner_a, shop, head_a, district_officer_a
):
    finding = find_risk(clock, inspector_a, partner_a, shop, deadline=dt.date(2026, 11, 3))
    clock.set(at(dt.date(2026, 11, 20), 8))
    assert tasks.rectification_escalations("2026-11-20") == 2
    assert steps(finding) == [StepKind.OPENED, StepKind.ESCALATED_HEAD, StepKind.ESCALATED_DISTRICT]
    assert Notification.objects.filter(recipient__in=[head_a, district_officer_a]).count() == 2


def test_a_closed_rectification_is_not_escalated(clock, inspector_a, partner_a, shop, head_a):
    finding = find_risk(clock, inspector_a, partner_a, shop, deadline=dt.date(2026, 11, 3))
    rectification_evidence_add(user=inspector_a, finding=finding, upload=jpeg())
    rectification_follow_up(user=partner_a, finding=finding, passed=True)
    clock.set(at(dt.date(2026, 11, 20), 8))
    assert tasks.rectification_escalations("2026-11-20") == 0
    assert not Notification.objects.filter(recipient=head_a, title__contains="张记面馆").exists()


# Scope


def test_an_inspector_of_another_community_cannot_see_or_change_a_rectification_by_its_id(
    clock, client, api, inspector_a, partner_a, inspector_b, shop
):
    finding = find_risk(clock, inspector_a, partner_a, shop)
    rectification_evidence_add(user=inspector_a, finding=finding, upload=jpeg())
    evidence = finding.evidence.get()
    client.force_login(inspector_b)
    assert client.get(reverse("patrols:finding_detail", args=[finding.pk])).status_code == 404
    assert client.get(reverse("patrols:finding_evidence_file", args=[evidence.pk])).status_code == 404
    response = client.post(reverse("patrols:finding_evidence_add", args=[finding.pk]), {"image": jpeg()})
    assert response.status_code == 404
    response = client.post(reverse("patrols:finding_follow_up", args=[finding.pk]), {"passed": "yes"})
    assert response.status_code == 404
    api.force_authenticate(inspector_b)
    assert api.get(reverse("finding-detail", args=[finding.pk])).status_code == 404
    follow_up = api.post(reverse("finding-follow-up", args=[finding.pk]), {"passed": True}, format="json")
    assert follow_up.status_code == 404
    upload = api.post(reverse("finding-evidence", args=[finding.pk]), {"image": jpeg()}, format="multipart")
    assert upload.status_code == 404
    assert finding.pk not in [row["id"] for row in api.get(reverse("finding-list")).json()["results"]]
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN and finding.evidence.count() == 1
    assert steps(finding) == [StepKind.OPENED, StepKind.EVIDENCE]


def test_the_district_sees_but_does_not_follow_up(
    clock, client, inspector_a, partner_a, shop, district_officer_a
):
    finding = find_risk(clock, inspector_a, partner_a, shop)
    client.force_login(district_officer_a)
    page = client.get(reverse("patrols:finding_detail", args=[finding.pk]))
    assert page.status_code == 200 and "张三" in page.content.decode()
    response = client.post(reverse("patrols:finding_follow_up", args=[finding.pk]), {"passed": "no"})
    assert response.status_code == 403
    assert steps(finding) == [StepKind.OPENED]


def _in_chinese():
    from django.utils import translation

    return translation.override("zh-hans")


def test_a_head_may_add_evidence_but_only_an_inspector_follows_up(
    clock, inspector_a, partner_a, shop, community_a
):
    head = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community_a, certificate_no="")
    finding = find_risk(clock, inspector_a, partner_a, shop)
    rectification_evidence_add(user=head, finding=finding, upload=jpeg())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rectification_follow_up(user=head, finding=finding, passed=True)


def test_the_rectification_list_and_api_cost_the_same_for_few_and_many(
    clock, client, api, inspector_a, partner_a, community_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def costs() -> tuple[int, int, int]:
        counts = []
        for url, data in (
            (reverse("patrols:finding_list"), {}),
            (reverse("patrols:finding_list"), {"state": "all"}),
        ):
            with CaptureQueriesContext(connection) as page:
                assert client.get(url, data).status_code == 200
            counts.append(len(page))
        with CaptureQueriesContext(connection) as listed:
            assert api.get(reverse("finding-list")).status_code == 200
        return (*counts, len(listed))

    client.force_login(inspector_a)
    api.force_authenticate(inspector_a)
    find_risk(clock, inspector_a, partner_a, EstablishmentFactory(community=community_a))
    few = costs()
    for n in range(1, 6):
        find_risk(
            clock,
            inspector_a,
            partner_a,
            EstablishmentFactory(community=community_a),
            day=DAY + dt.timedelta(n),
        )
    assert costs() == few


def test_a_follow_up_visit_on_the_phone_closes_the_risk_with_its_photo_as_evidence(
    clock, client, inspector_a, partner_a, shop
):
    finding = find_risk(clock, inspector_a, partner_a, shop)
    later = DAY + dt.timedelta(days=2)
    clock.set(at(later, 9))
    patrol = records.patrol_start(user=partner_a, team=[inspector_a], date=later)[0]
    client.force_login(partner_a)
    url = reverse("patrols:visit_create", args=[patrol.pk, shop.pk])
    form = {
        "client_id": "6f1c4f8e-2f55-4c5e-9a7b-3f0d2a4c9e13",
        "result": "compliant",
        "follow_up_of": finding.pk,
        "rectified": "yes",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400 and "请先上传整改到位的照片" in refused.content.decode()
    assert not patrol.visits.exists()
    response = client.post(url, {**form, "photos": jpeg()})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED and finding.evidence.count() == 1
    assert patrol.visits.get().photos.count() == 1
    assert steps(finding) == [StepKind.OPENED, StepKind.EVIDENCE, StepKind.PASSED, StepKind.CLOSED]

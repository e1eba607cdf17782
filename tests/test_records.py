"""Daily patrol records (§4): logging, findings, review, archive and amendments."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from notifications.models import Notification
from orgs.models import Role
from patrols.models import (
    Amendment,
    Finding,
    FindingStatus,
    Lead,
    Patrol,
    PatrolMember,
    PatrolStatus,
    Photo,
    Visit,
)
from patrols.services import records as services
from patrols.services.rectifications import rectification_evidence_add
from tests.factories import EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patrol_a(inspector_a, partner_a):
    patrol, _ = services.patrol_start(user=inspector_a, team=[partner_a])
    return patrol


def jpeg_bytes(exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG", exif=exif or Image.Exif())
    return buffer.getvalue()


def visit(patrol, user, shop, **kwargs):
    kwargs.setdefault("result", "compliant")
    return services.visit_record(user=user, patrol=patrol, establishment=shop, **kwargs)[0]


def submitted(patrol, user, shop):
    visit(patrol, user, shop)
    return services.patrol_submit(user=user, patrol=patrol)


# Starting a patrol


def test_patrol_needs_two_inspectors_of_the_community(inspector_a, inspector_b):
    with pytest.raises(ValidationError) as alone:
        services.patrol_start(user=inspector_a, team=[])
    assert "至少" in str(alone.value) or "at least" in str(alone.value)
    with pytest.raises(ValidationError):
        services.patrol_start(user=inspector_a, team=[inspector_b])
    assert not Patrol.objects.exists()


def test_starting_a_day_already_started_resumes_its_record(inspector_a, partner_a, patrol_a):
    third = UserFactory(role=Role.INSPECTOR, org_unit=inspector_a.org_unit, certificate_no="HZ-0099")
    again, created = services.patrol_start(user=third, team=[partner_a], client_id=uuid.uuid4())
    assert again == patrol_a and created is False
    assert Patrol.objects.count() == 1
    assert set(patrol_a.team.all()) == {inspector_a, partner_a, third}


def test_a_submitted_day_is_resumed_and_never_started_twice(client, inspector_a, partner_a, patrol_a, shop_a):
    submitted(patrol_a, inspector_a, shop_a)
    client.force_login(partner_a)
    today = client.get(reverse("patrols:patrol_today"))
    assert today.url == reverse("patrols:patrol_detail", args=[patrol_a.pk])
    again = client.post(reverse("patrols:patrol_today"), {"team": [inspector_a.pk, partner_a.pk]})
    assert again.url == reverse("patrols:patrol_detail", args=[patrol_a.pk])
    patrol_a.refresh_from_db()
    assert Patrol.objects.count() == 1 and patrol_a.status == PatrolStatus.SUBMITTED


def test_the_database_keeps_one_record_per_community_and_day(patrol_a, inspector_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Patrol.objects.create(community=patrol_a.community, date=patrol_a.date, created_by=inspector_a)


def test_submitting_first_shows_what_will_be_sent(client, inspector_a, patrol_a, shop_a):
    visit(
        patrol_a,
        inspector_a,
        shop_a,
        result="issues",
        findings="冷藏温度过高",
        finding_items=[services.FindingInput("safety_risk", "storage", "冷藏温度过高")],
    )
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:patrol_detail", args=[patrol_a.pk])).content.decode()
    start = page.index('id="confirm-submit"')
    confirm = page[start : page.index("</details>", start)]
    assert "检查 1 户：合格 0 户，发现问题 1 户" in confirm and "新发现的问题：1" in confirm
    assert 'id="confirm-submit-patrol"' in confirm
    assert Patrol.objects.get().status == PatrolStatus.DRAFT


def test_patrol_keeps_the_team_certificates(patrol_a, inspector_a, partner_a):
    assert {(m.inspector, m.certificate_no) for m in patrol_a.members.all()} == {
        (inspector_a, inspector_a.certificate_no),
        (partner_a, partner_a.certificate_no),
    }


def test_patrol_posted_twice_with_the_same_phone_id_is_stored_once(api, inspector_a, partner_a):
    api.force_authenticate(inspector_a)
    client_id = str(uuid.uuid4())
    first = api.post("/api/patrols/", {"client_id": client_id, "team": [partner_a.pk]}, format="json")
    again = api.post("/api/patrols/", {"client_id": client_id, "team": [partner_a.pk]}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert Patrol.objects.filter(client_id=client_id).count() == 1


# Visits


def test_visit_posted_twice_with_the_same_phone_id_is_stored_once(api, inspector_a, patrol_a, shop_a):
    api.force_authenticate(inspector_a)
    body = {
        "client_id": str(uuid.uuid4()),
        "patrol": str(patrol_a.client_id),
        "establishment": shop_a.pk,
        "result": "compliant",
        "checklist": [],
    }
    first = api.post("/api/visits/", body, format="json")
    again = api.post("/api/visits/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert Visit.objects.filter(client_id=body["client_id"]).count() == 1
    assert first.json()["id"] == again.json()["id"]


def test_visit_resent_after_its_patrol_was_submitted_answers_with_the_stored_one(
    api, inspector_a, patrol_a, shop_a
):
    api.force_authenticate(inspector_a)
    body = {"client_id": str(uuid.uuid4()), "patrol": str(patrol_a.client_id), "establishment": shop_a.pk}
    first = api.post("/api/visits/", {**body, "result": "compliant"}, format="json")
    services.patrol_submit(user=inspector_a, patrol=patrol_a)
    # Resent as the phone had it, or even changed: the record is stored already.
    again = api.post("/api/visits/", {**body, "result": "issues"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Visit.objects.get().result == "compliant"


def test_resending_another_communitys_visit_id_is_refused(
    api, inspector_a, inspector_b, patrol_a, shop_a, shop_b, community_b
):
    theirs = visit(patrol_a, inspector_a, shop_a)
    partner_b = UserFactory(role=Role.INSPECTOR, org_unit=community_b)
    patrol_b, _ = services.patrol_start(user=inspector_b, team=[partner_b])
    api.force_authenticate(inspector_b)
    body = {
        "client_id": str(theirs.client_id),
        "patrol": str(patrol_b.client_id),
        "establishment": shop_b.pk,
        "result": "compliant",
    }
    assert api.post("/api/visits/", body, format="json").status_code == 403
    assert list(Visit.objects.all()) == [theirs]


def test_recorded_visit_is_answered_as_it_reads_back(api, inspector_a, patrol_a, shop_a):
    api.force_authenticate(inspector_a)
    client_id = str(uuid.uuid4())
    body = {
        "client_id": client_id,
        "patrol": str(patrol_a.client_id),
        "establishment": shop_a.pk,
        "result": "issues",
        "findings": "冷藏温度过高，标签不全",
        "finding_items": [
            {"kind": "safety_risk", "category": "storage", "description": "冷藏温度过高"},
            {
                "kind": "safety_risk",
                "category": "labelling",
                "description": "标签不全",
                # Late, yet within the bounds (config.bounds: one year ahead).
                "rectification_deadline": (timezone.localdate() + dt.timedelta(days=300)).isoformat(),
            },
        ],
    }
    posted = api.post("/api/visits/", body, format="json")
    assert posted.status_code == 201
    assert posted.json() == api.get(f"/api/visits/{client_id}/").json()
    assert [f["category"] for f in posted.json()["findings_recorded"]] == [
        "labelling",
        "storage",
    ]  # newest first
    assert posted.json()["photos"] == []
    assert [h.history_user for h in Finding.history.all()] == [inspector_a, inspector_a]


def test_visit_form_posted_twice_is_stored_once(client, inspector_a, patrol_a, shop_a):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    form = {"client_id": str(uuid.uuid4()), "result": "compliant", "check-0": "ok"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Visit.objects.count() == 1
    assert Visit.objects.get().checklist[0]["ok"] is True


def test_visit_moves_the_establishment_due_date(inspector_a, patrol_a, community_a):
    shop = EstablishmentFactory(community=community_a, risk_class="A", last_visited_on=None)
    assert shop.visit_state() == "overdue"
    visit(patrol_a, inspector_a, shop)
    shop.refresh_from_db()
    assert shop.last_visited_on == timezone.localdate()
    assert shop.visit_state() == "ok"


def test_checklist_follows_the_category(client, inspector_a, patrol_a, community_a):
    pharmacy = EstablishmentFactory(community=community_a, category="pharmacy")
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:visit_create", args=[patrol_a.pk, pharmacy.pk]))
    assert "处方药凭处方销售" in page.text
    assert "食品留样" not in page.text


def test_safety_risk_gets_a_deadline_and_follow_up_closes_or_reopens_it(
    inspector_a, partner_a, patrol_a, shop_a
):
    # The follow-ups are by partner_a: the finder does not confirm their own fix while the
    # community has another inspector, and a risk is closed only with a photo of the fix
    # (tests/test_rectifications.py holds those rules).
    first = visit(
        patrol_a,
        inspector_a,
        shop_a,
        result="issues",
        findings="冷藏温度过高",
        finding_items=[services.FindingInput("safety_risk", "storage", "冷藏温度过高")],
    )
    finding = first.finding_set.get()
    assert finding.rectification_deadline == timezone.localdate() + dt.timedelta(days=7)
    assert finding.status == FindingStatus.OPEN

    services.patrol_submit(user=inspector_a, patrol=patrol_a)
    # One record a day: the follow-ups are logged on the records of the days before (SPEC §4).
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    later, _ = services.patrol_start(
        user=inspector_a, team=[partner_a], client_id=uuid.uuid4(), date=yesterday
    )
    visit(
        later,
        partner_a,
        shop_a,
        result="issues",
        findings="仍未整改",
        follow_up_of=finding,
        rectified=False,
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert finding.follow_ups.get().rectified is False

    third, _ = services.patrol_start(
        user=inspector_a, team=[partner_a], date=yesterday - dt.timedelta(days=1)
    )
    upload = SimpleUploadedFile("fixed.jpg", jpeg_bytes(), content_type="image/jpeg")
    rectification_evidence_add(user=inspector_a, finding=finding, upload=upload)
    visit(third, partner_a, shop_a, follow_up_of=finding, rectified=True)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED and finding.closed_at is not None


def test_suspected_violation_becomes_a_lead_for_the_district(
    inspector_a, patrol_a, shop_a, district_officer_a
):
    visit(
        patrol_a,
        inspector_a,
        shop_a,
        result="issues",
        findings="销售过期食品",
        finding_items=[services.FindingInput("suspected_violation", "expired", "销售过期食品")],
    )
    lead = Lead.objects.get()
    assert lead.reporter == inspector_a and lead.establishment == shop_a
    assert lead.finding.status == FindingStatus.REPORTED
    assert Notification.objects.filter(recipient=district_officer_a).exists()


# Photos


def test_photo_keeps_time_and_place_and_is_reencoded(inspector_a, patrol_a, shop_a):
    exif = Image.Exif()
    exif[0x8769] = {0x9003: "2026:11:20 09:15:00"}  # DateTimeOriginal, local time
    exif[0x8825] = {1: "N", 2: (30.0, 16.0, 12.0), 3: "E", 4: (120.0, 9.0, 36.0)}
    v = visit(patrol_a, inspector_a, shop_a)
    photo, created = services.photo_add(
        user=inspector_a, visit=v, upload=SimpleUploadedFile("IMG_1.HEIC", jpeg_bytes(exif))
    )
    assert created
    assert timezone.localtime(photo.taken_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 09:15"
    assert float(photo.latitude) == pytest.approx(30.27, abs=0.001)
    assert float(photo.longitude) == pytest.approx(120.16, abs=0.001)
    assert photo.image.name.endswith(".jpg") and "IMG_1" not in photo.image.name
    with photo.image.open("rb") as stored:
        assert Image.open(stored).getexif().get(0x8825) is None


def test_a_file_that_is_not_a_photo_is_refused_in_chinese_and_nothing_is_saved(
    client, inspector_a, patrol_a, shop_a
):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'not an image'; ?>", content_type="image/jpeg")
    response = client.post(url, {"client_id": str(uuid.uuid4()), "result": "compliant", "photos": fake})
    assert response.status_code == 400
    assert "不是照片" in response.text
    assert not Visit.objects.exists() and not Photo.objects.exists()


def test_photo_is_served_only_to_who_may_see_the_record(client, inspector_a, inspector_b, patrol_a, shop_a):
    v = visit(patrol_a, inspector_a, shop_a)
    photo, _ = services.photo_add(user=inspector_a, visit=v, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    url = reverse("patrols:photo_file", args=[photo.pk])
    client.force_login(inspector_b)
    assert client.get(url).status_code == 404
    client.force_login(inspector_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


# Review and archive


def test_head_and_leader_both_approve_then_the_record_is_archived(
    inspector_a, patrol_a, shop_a, head_a, leader_a
):
    submitted(patrol_a, inspector_a, shop_a)
    assert Notification.objects.filter(recipient=head_a).count() == 1
    services.patrol_approve(user=head_a, patrol=patrol_a)
    patrol_a.refresh_from_db()
    assert patrol_a.status == PatrolStatus.SUBMITTED
    with pytest.raises(ValidationError):
        services.patrol_approve(user=head_a, patrol=patrol_a)
    services.patrol_approve(user=leader_a, patrol=patrol_a)
    patrol_a.refresh_from_db()
    assert patrol_a.status == PatrolStatus.ARCHIVED and patrol_a.archived_at
    history = [h.status for h in patrol_a.history.order_by("history_date")]
    assert history == ["draft", "submitted", "submitted", "archived"]


def test_archived_record_is_read_only_everywhere(
    client, api, inspector_a, patrol_a, shop_a, head_a, leader_a
):
    submitted(patrol_a, inspector_a, shop_a)
    for reviewer in (head_a, leader_a):
        services.patrol_approve(user=reviewer, patrol=patrol_a)
    the_visit = patrol_a.visits.get()
    other = EstablishmentFactory(community=shop_a.community)
    with pytest.raises(ValidationError):
        services.visit_record(user=inspector_a, patrol=patrol_a, establishment=other, result="compliant")
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:visit_create", args=[patrol_a.pk, other.pk]))
    assert page.status_code == 403 and "不能再修改" in page.text
    assert (
        client.post(reverse("patrols:visit_edit", args=[the_visit.pk]), {"result": "issues"}).status_code
        == 403
    )
    detail = client.get(reverse("patrols:patrol_detail", args=[patrol_a.pk]))
    assert 'id="submit-patrol"' not in detail.text and "visit-link" not in detail.text
    api.force_authenticate(inspector_a)
    response = api.patch(f"/api/visits/{the_visit.client_id}/", {"result": "issues"}, format="json")
    assert response.status_code == 400
    the_visit.refresh_from_db()
    assert the_visit.result == "compliant" and Visit.objects.count() == 1


def test_amendment_after_archiving_keeps_the_original(inspector_a, patrol_a, shop_a, head_a, leader_a):
    v = visit(patrol_a, inspector_a, shop_a, result="issues", findings="地面有积水")
    services.patrol_submit(user=inspector_a, patrol=patrol_a)
    for reviewer in (head_a, leader_a):
        services.patrol_approve(user=reviewer, patrol=patrol_a)
    patrol_a.refresh_from_db()
    services.patrol_amend(
        user=inspector_a,
        patrol=patrol_a,
        visit=v,
        field="findings",
        corrected="后厨地面有积水",
        reason="补充位置",
    )
    v.refresh_from_db()
    assert v.findings == "地面有积水"
    amendment = Amendment.objects.get()
    assert (amendment.original, amendment.corrected, amendment.made_by) == (
        "地面有积水",
        "后厨地面有积水",
        inspector_a,
    )


def test_send_back_with_a_reason_then_resubmit(inspector_a, partner_a, patrol_a, shop_a, head_a, leader_a):
    submitted(patrol_a, inspector_a, shop_a)
    services.patrol_approve(user=head_a, patrol=patrol_a)
    with pytest.raises(ValidationError):
        services.patrol_return(user=leader_a, patrol=patrol_a, reason=" ")
    services.patrol_return(user=leader_a, patrol=patrol_a, reason="照片不清楚")
    patrol_a.refresh_from_db()
    assert patrol_a.status == PatrolStatus.RETURNED and patrol_a.head_approved_at is None
    assert Notification.objects.filter(recipient=partner_a, body="照片不清楚").exists()
    services.patrol_submit(user=partner_a, patrol=patrol_a)
    patrol_a.refresh_from_db()
    assert patrol_a.status == PatrolStatus.SUBMITTED and patrol_a.returned_reason == ""


def test_approve_many_at_once(client, inspector_a, partner_a, community_a, head_a):
    shop = EstablishmentFactory(community=community_a)
    ids = []
    for days_ago in range(3):
        day = timezone.localdate() - dt.timedelta(days=days_ago)
        patrol, _created = services.patrol_start(user=inspector_a, team=[partner_a], date=day)
        submitted(patrol, inspector_a, shop)
        ids.append(patrol.pk)
    client.force_login(head_a)
    response = client.post(reverse("patrols:patrol_review"), {"ids": ids[:2]})
    assert response.status_code == 302
    approved = Patrol.objects.filter(head_approved_at__isnull=False).values_list("pk", flat=True)
    assert sorted(approved) == sorted(ids[:2])


def test_only_the_communitys_reviewers_may_approve(inspector_a, patrol_a, shop_a, community_b):
    submitted(patrol_a, inspector_a, shop_a)
    other_head = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community_b, certificate_no="")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.patrol_approve(user=other_head, patrol=patrol_a)
    with pytest.raises(PermissionDenied):
        services.patrol_approve(user=inspector_a, patrol=patrol_a)


# Calendar and district view


def test_calendar_shows_days_without_a_patrol(client, inspector_a, partner_a, shop_a):
    """A patrolled day is a submitted record with a visit; today is not missed until it is over."""
    today = timezone.localdate()
    patrol, _ = services.patrol_start(user=inspector_a, team=[partner_a], date=today)
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:patrol_calendar"))
    # An empty draft counts for nothing, and today is not yet a missed day.
    assert (page.context["patrolled"], page.context["missing"]) == (0, today.day - 1)
    cell = next(c for week in page.context["weeks"] for c in week if c["date"] == today)
    assert cell["today"] and not cell["missing"] and not cell["patrolled"]
    visit(patrol, inspector_a, shop_a)
    assert client.get(reverse("patrols:patrol_calendar")).context["patrolled"] == 0  # still a draft
    services.patrol_submit(user=inspector_a, patrol=patrol)
    page = client.get(reverse("patrols:patrol_calendar"))
    assert (page.context["patrolled"], page.context["missing"]) == (1, today.day - 1)


def test_district_overview_counts_patrols_and_overdue_rectifications(
    client, district_officer_a, inspector_a, partner_a, shop_a, community_b
):
    patrol, _ = services.patrol_start(user=inspector_a, team=[partner_a])
    v = visit(
        patrol,
        inspector_a,
        shop_a,
        result="issues",
        findings="x",
        finding_items=[services.FindingInput("safety_risk", "hygiene", "卫生差")],
    )
    Finding.objects.filter(visit=v).update(rectification_deadline=timezone.localdate() - dt.timedelta(days=1))
    services.patrol_submit(user=inspector_a, patrol=patrol)
    client.force_login(district_officer_a)
    page = client.get(reverse("patrols:patrol_overview"))
    rows = {row["community"].name: row for row in page.context["rows"]}
    assert rows["翠苑社区"]["month_days"] == 1 and rows["翠苑社区"]["overdue"] == 1
    assert rows["文新社区"]["month_days"] == 0 and rows["文新社区"]["missing_recent"] == 7
    assert [f.description for f in page.context["overdue"]] == ["卫生差"]


# Scoping of every new page and endpoint


def test_inspector_of_another_community_cannot_see_or_touch_the_record(
    client, api, inspector_a, inspector_b, patrol_a, shop_a
):
    v = visit(patrol_a, inspector_a, shop_a)
    client.force_login(inspector_b)
    for url in [
        reverse("patrols:patrol_detail", args=[patrol_a.pk]),
        reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk]),
        reverse("patrols:visit_edit", args=[v.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("patrols:patrol_submit", args=[patrol_a.pk])).status_code == 404
    assert "翠苑社区" not in client.get(reverse("patrols:patrol_list")).text
    api.force_authenticate(inspector_b)
    assert api.get(f"/api/patrols/{patrol_a.client_id}/").status_code == 404
    assert api.get(f"/api/visits/{v.client_id}/").status_code == 404
    assert api.post(f"/api/patrols/{patrol_a.client_id}/submit/").status_code == 404
    assert api.get("/api/patrols/").json()["results"] == []
    assert api.get("/api/findings/").json()["results"] == []
    foreign_visit = {"patrol": str(patrol_a.client_id), "establishment": shop_a.pk, "result": "compliant"}
    assert api.post("/api/visits/", foreign_visit, format="json").status_code == 400
    patrol_a.refresh_from_db()
    assert patrol_a.status == PatrolStatus.DRAFT and Visit.objects.count() == 1


def test_resending_another_communitys_record_id_is_refused(api, inspector_b, patrol_a, community_b):
    partner_b = UserFactory(role=Role.INSPECTOR, org_unit=community_b)
    api.force_authenticate(inspector_b)
    response = api.post(
        "/api/patrols/", {"client_id": str(patrol_a.client_id), "team": [partner_b.pk]}, format="json"
    )
    assert response.status_code == 403


def test_district_officer_of_another_district_sees_nothing(
    client, api, inspector_a, patrol_a, shop_a, district_c
):
    officer_c = UserFactory(role=Role.DISTRICT_OFFICER, org_unit=district_c, certificate_no="")
    client.force_login(officer_c)
    assert client.get(reverse("patrols:patrol_detail", args=[patrol_a.pk])).status_code == 404
    overview = client.get(reverse("patrols:patrol_overview"))
    assert "翠苑社区" not in overview.text
    api.force_authenticate(officer_c)
    assert api.get(f"/api/patrols/{patrol_a.client_id}/").status_code == 404


def test_volunteer_sees_no_patrol_records(client, api, volunteer_a, patrol_a):
    client.force_login(volunteer_a)
    assert client.get(reverse("patrols:patrol_detail", args=[patrol_a.pk])).status_code == 404
    api.force_authenticate(volunteer_a)
    assert api.get("/api/patrols/").json()["results"] == []


def test_patrol_list_costs_the_same_for_few_and_many(client, district_officer_a, inspector_a, partner_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("patrols:patrol_list")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(district_officer_a)
    services.patrol_start(user=inspector_a, team=[partner_a])
    few = count()
    for days in range(1, 25):  # earlier days, some in a month already locked: made as stored
        patrol = Patrol.objects.create(
            community=inspector_a.org_unit,
            date=timezone.localdate() - dt.timedelta(days=days),
            created_by=inspector_a,
        )
        for member in (inspector_a, partner_a):
            PatrolMember.objects.create(patrol=patrol, inspector=member, certificate_no=member.certificate_no)
    assert count() == few


def test_a_visit_resent_after_the_record_was_submitted_is_not_refused(client, inspector_a, patrol_a, shop_a):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    form = {"client_id": str(uuid.uuid4()), "result": "compliant"}
    assert client.post(url, form).status_code == 302
    services.patrol_submit(user=inspector_a, patrol=patrol_a)
    assert client.post(url, form).status_code == 302
    assert Visit.objects.count() == 1


def test_todays_patrol_sends_reviewers_to_their_review_list(client, head_a):
    client.force_login(head_a)
    response = client.get(reverse("patrols:patrol_today"))
    assert response.url == reverse("patrols:patrol_review")


# The month a record belongs to, once its report is locked


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def shanghai(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_no_record_is_started_or_submitted_in_a_locked_month_without_the_districts_exception(
    clock, api, inspector_a, partner_a, shop_a, community_a, district_officer_a
):
    october_20 = dt.date(2026, 10, 20)
    clock.set(shanghai(dt.date(2026, 10, 31), 20))
    draft = services.patrol_start(user=inspector_a, team=[partner_a], date=dt.date(2026, 10, 31))[0]
    visit(draft, inspector_a, shop_a)
    # October's report locked when the 5th of November ended.
    clock.set(shanghai(dt.date(2026, 11, 6)))
    api.force_authenticate(inspector_a)
    response = api.post(
        "/api/patrols/", {"team": [partner_a.pk], "date": october_20.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "锁定" in str(response.json())
    assert not Patrol.objects.filter(date=october_20).exists()
    with pytest.raises(ValidationError, match="锁定"):
        services.patrol_submit(user=inspector_a, patrol=draft)
    assert Patrol.objects.get(pk=draft.pk).status == PatrolStatus.DRAFT  # nothing typed was lost
    # The logged exception opens the month again until its day ends.
    from reporting.models import ReportEvent
    from reporting.services import monthly_report_reopen

    monthly_report_reopen(
        user=district_officer_a,
        unit=community_a,
        period=dt.date(2026, 10, 1),
        reason="补录",
        until=dt.date(2026, 11, 6),
    )
    assert ReportEvent.objects.filter(action="reopened", actor=district_officer_a).exists()
    services.patrol_submit(user=inspector_a, patrol=draft)
    response = api.post(
        "/api/patrols/", {"team": [partner_a.pk], "date": october_20.isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content


def test_today_is_not_a_missed_day_on_the_district_overview_until_it_is_over(
    client, district_officer_a, inspector_a, partner_a, shop_a
):
    today = timezone.localdate()
    for back in range(1, 8):  # the last seven days, each with a submitted record holding a visit
        patrol = Patrol.objects.create(
            community=inspector_a.org_unit,
            date=today - dt.timedelta(days=back),
            created_by=inspector_a,
            status=PatrolStatus.SUBMITTED,
        )
        Visit.objects.create(patrol=patrol, establishment=shop_a, result="compliant")
    services.patrol_start(user=inspector_a, team=[partner_a], date=today)  # today's, still a draft
    client.force_login(district_officer_a)
    rows = {
        row["community"].name: row for row in client.get(reverse("patrols:patrol_overview")).context["rows"]
    }
    assert rows["翠苑社区"]["missing_recent"] == 0


def test_recompute_visit_due_applies_the_rule_to_every_establishment(shop_a, community_a):
    from io import StringIO

    from django.core.management import call_command

    from patrols import schedule
    from patrols.models import Establishment

    Establishment.objects.filter(pk=shop_a.pk).update(next_visit_due=dt.date(2000, 1, 1))
    other = EstablishmentFactory(community=community_a, risk_class="C")
    out = StringIO()
    call_command("recompute_visit_due", stdout=out)
    shop_a.refresh_from_db()
    expected = schedule.next_visit_due(
        last_visited=shop_a.last_visited_on,
        registered=shop_a.registered_on,
        risk_class=shop_a.risk_class,
        tightened_months=shop_a.tightened_interval_months,
        black_listed=shop_a.watch_list == "black",
    )
    assert shop_a.next_visit_due == expected
    assert "1 next due dates changed" in out.getvalue()
    call_command("recompute_visit_due", stdout=out)  # safe to run twice
    assert "0 next due dates changed" in out.getvalue()
    other.refresh_from_db()
    assert other.next_visit_due == other.compute_next_visit_due()


def test_follow_up_choices_name_shop_category_dates_most_urgent_first(
    clock, client, inspector_a, partner_a, shop_a
):
    clock.set(shanghai(dt.date(2026, 10, 20), 10))  # nine days back is still an open month
    today = timezone.localdate()
    earlier, _ = services.patrol_start(user=inspector_a, team=[partner_a], date=today - dt.timedelta(days=9))
    risks = [
        services.FindingInput("safety_risk", "storage", "冷藏温度偏高", today + dt.timedelta(days=5)),
        services.FindingInput("safety_risk", "hygiene", "操作间地面积水", today + dt.timedelta(days=1)),
    ]
    found_at = timezone.now() - dt.timedelta(days=9)
    visit(earlier, inspector_a, shop_a, result="issues", finding_items=risks, visited_at=found_at)
    Finding.objects.filter(category="hygiene").update(rectification_deadline=today - dt.timedelta(days=2))
    patrol, _ = services.patrol_start(user=inspector_a, team=[partner_a])
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:visit_create", args=[patrol.pk, shop_a.pk])).content.decode()
    found = f"{today - dt.timedelta(days=9):%Y-%m-%d} 发现"
    overdue = (
        f"{shop_a.name} · 环境卫生 · {found} · 限 {today - dt.timedelta(days=2):%Y-%m-%d} 前整改（已逾期）"
    )
    storage = f"{shop_a.name} · 储存与温控 · {found} · 限 {today + dt.timedelta(days=5):%Y-%m-%d} 前整改"
    assert overdue in page and storage in page
    assert page.index("不是回头看") < page.index(overdue) < page.index(storage), (
        "the overdue finding comes first"
    )


# A day started without signal: the phone sends the start, then the visits, by the day's date


def test_a_day_started_offline_is_stored_once_and_its_visits_follow_by_date(
    client, inspector_a, partner_a, shop_a
):
    client.force_login(inspector_a)
    today = timezone.localdate()
    day_url = reverse("patrols:patrol_on_day", args=[f"{today:%Y-%m-%d}"])
    visit_url = reverse("patrols:visit_create_on_day", args=[f"{today:%Y-%m-%d}", shop_a.pk])
    # Opened in the morning, before the start: the phone keeps these pages.
    assert shop_a.name in client.get(day_url).text
    assert client.get(visit_url).status_code == 200
    # A visit arriving before its start is refused in words and nothing is stored.
    early = client.post(visit_url, {"client_id": str(uuid.uuid4()), "result": "compliant"})
    assert early.status_code == 409 and "请先上传开始巡查" in early.text
    assert not Visit.objects.exists()

    start = {
        "team": [inspector_a.pk, partner_a.pk],
        "client_id": str(uuid.uuid4()),
        "date": f"{today:%Y-%m-%d}",
    }
    first = client.post(reverse("patrols:patrol_today"), start)
    again = client.post(reverse("patrols:patrol_today"), start)
    patrol = Patrol.objects.get()
    assert first.url == again.url == reverse("patrols:patrol_detail", args=[patrol.pk])
    assert str(patrol.client_id) == start["client_id"] and patrol.date == today

    form = {"client_id": str(uuid.uuid4()), "result": "compliant"}
    assert client.post(visit_url, form).url == reverse("patrols:patrol_detail", args=[patrol.pk])
    assert client.post(visit_url, form).status_code == 302
    assert Visit.objects.get().patrol == patrol
    assert client.get(day_url).url == reverse("patrols:patrol_detail", args=[patrol.pk])


def test_a_start_sent_late_joins_the_day_a_team_mate_started(client, inspector_a, partner_a):
    started, _ = services.patrol_start(
        user=partner_a,
        team=[UserFactory(role=Role.INSPECTOR, org_unit=inspector_a.org_unit, certificate_no="HZ-7")],
    )
    client.force_login(inspector_a)
    start = {"team": [inspector_a.pk, partner_a.pk], "client_id": str(uuid.uuid4())}
    assert client.post(reverse("patrols:patrol_today"), start).url == reverse(
        "patrols:patrol_detail", args=[started.pk]
    )
    assert Patrol.objects.count() == 1 and inspector_a in started.team.all()


def test_a_start_page_from_an_earlier_day_is_refused(client, inspector_a, partner_a):
    client.force_login(inspector_a)
    stale = f"{timezone.localdate() - dt.timedelta(days=5):%Y-%m-%d}"
    response = client.post(
        reverse("patrols:patrol_today"), {"team": [inspector_a.pk, partner_a.pk], "date": stale}
    )
    assert response.status_code == 200 and "请重新打开今日巡查" in response.text
    assert not Patrol.objects.exists()
    assert client.get(reverse("patrols:patrol_on_day", args=[stale])).status_code == 404
    assert client.get(reverse("patrols:patrol_on_day", args=["2026-13-45"])).status_code == 404


def test_an_inspector_cannot_reach_another_communitys_day_by_its_date(client, inspector_b, patrol_a, shop_a):
    client.force_login(inspector_b)
    day = f"{patrol_a.date:%Y-%m-%d}"
    assert (
        client.get(reverse("patrols:patrol_on_day", args=[day])).status_code == 200
    )  # their own, not started
    visit_url = reverse("patrols:visit_create_on_day", args=[day, shop_a.pk])
    assert client.get(visit_url).status_code == 404
    assert client.post(visit_url, {"client_id": str(uuid.uuid4()), "result": "compliant"}).status_code == 404
    assert not Visit.objects.exists()

"""Who may open what: every URL of the project, for every kind of person, from the URL configuration.

The table EXPECTED has one row per URL name. Each row says how to call the URL (method, the
URL filled with an object of community A, a body) and what each person gets, as one letter
per person in the order of PEOPLE:

    L  must log in first (a redirect to the login page; 401/403 from the API)
    o  allowed (2xx, or a redirect elsewhere)
    x  refused or hidden (403 or 404)
    v  the body is refused (400): for a person outside the area, a scoped field answers that the
       record they named does not exist, exactly as for a record that really does not exist

A URL name that the URL configuration has and the table does not fails
`test_every_url_is_in_the_table`: add a row for it (and, if it should not be checked, put it
in SKIPPED with the reason). Every POST runs inside a savepoint that is rolled back, so one
person's change never decides what the next person gets.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.security_world import (
    World,
    assessment_window_open_on,
    build_world,
    jpeg_upload,
    signature_data_url,
)

PEOPLE = (
    "anonymous",
    "inspector_a",  # inspector of community A, where every object below belongs
    "inspector_b",  # inspector of community B, same district
    "head_a",  # community head of A
    "leader_a",  # supervising leader of A
    "officer_a",  # district officer of A's district
    "officer_c",  # district officer of another district
    "city_officer",
    "admin",  # administrator (superuser, staff)
)

# Shorthands for the patterns most rows share (one letter per person, in PEOPLE's order).
PUBLIC = "ooooooooo"
ANY_USER = "Loooooooo"
A_RECORD = "Loxoooxoo"  # a record of community A: its people, its district, the city
A_TEAM_ONLY = "Loxxxxxxx"  # only A's inspector (the team member; for notices: the recipient)
A_REVIEWERS = "Lxxooxxxx"  # A's community head and supervising leader
A_TEAM_OR_REVIEWERS = "Loxooxxxx"
DISTRICT_A_STAFF = "Lxxxxoxxx"
DISTRICT_A_STAFF_OR_ADMIN = "Lxxxxoxxo"
DISTRICT_A_OR_CITY_MANAGERS = "Lxxxxoxoo"  # model units: the district office, the city above it
# Creating a record on A's patrol: outsiders name a patrol they cannot see, which the scoped field
# answers as not existing (400); A's reviewers and the offices see it but are not on the team (403).
A_TEAM_CREATES = "Lovxxxvxx"
DISTRICT_OFFICES = "Lxxxxooxx"  # each district office its own (checklists, assessment sheets)
DISTRICT_A_WIDE = "Loooooxoo"  # a record of district A, shared by all its communities
ABOVE_COMMUNITY = "Lxxxxoooo"  # district, city and admin pages
COMMUNITY_STAFF = "Looooxxxx"  # people of a community (A or B), not the offices above
# Year-end assessments (Assessment.objects.visible_to): district A's assessment of community A is
# seen, while under way, only by the levels above (the community sees its result once submitted);
# it is scored and submitted by its assessor, district A's office, or the admin.
A_ASSESSMENT_UNDER_WAY = "Lxxxxoxoo"
A_ASSESSORS = "Lxxxxoxxo"
# Community A's assessment of its inspector is made by A's head and supervising leader (or the admin).
A_INSPECTOR_ASSESSORS = "Lxxooxxxo"
# Group robots (notifications.models.robot_units): each office its own unit, the admin any.
ROBOT_SETTERS = "Lxxoxoooo"
A_ROBOT_SETTERS = "Lxxoxxxxo"
# Creating a robot for community A: whoever may not set A's robots names a unit they cannot (400).
A_ROBOT_CREATES = "Lvvovvvvo"

Url = Callable[[World], str]


@dataclass(frozen=True)
class Row:
    expect: str
    url: Url
    method: str = "get"
    data: Callable[[World], dict] | None = field(default=None)
    json: bool = False


def _r(name: str, *args) -> Url:
    def build(w: World) -> str:
        return reverse(name, args=[arg(w) if callable(arg) else arg for arg in args])

    return build


def _month(w: World) -> str:
    return f"{w.report.period:%Y-%m}"


def _public_token(w: World) -> str:
    from patrols.views.public import public_token

    return public_token(w.shop)


def _record_token(w: World) -> str:
    from patrols.views.public import public_record_token

    return public_record_token(w.visit)


def _ledger_url(w: World) -> str:
    last = timezone.localdate()
    first = last - timedelta(days=30)
    return (
        f"{reverse('reporting:ledger_download')}?ledger=hazards&unit={w.community_a.pk}"
        f"&first={first:%Y-%m-%d}&last={last:%Y-%m-%d}"
    )


def _publication(w: World) -> int:
    """District A's published red and black lists (published the first time it is asked for)."""
    from patrols.models import WatchListPublication
    from patrols.services.watch_lists import watch_list_publish

    publication = WatchListPublication.objects.filter(district=w.district_a).first()
    return (publication or watch_list_publish(user=w.users["officer_a"], district=w.district_a)).pk


def _visit_body(w: World) -> dict:
    return {"client_id": str(uuid.uuid4()), "result": "compliant", "findings": "", "action_taken": ""}


def _api_visit_body(w: World) -> dict:
    return {"patrol": str(w.draft.client_id), "establishment": w.pharmacy.pk, "result": "compliant"}


def _api_photo_body(w: World) -> dict:
    return {"visit": str(w.visit.client_id), "image": jpeg_upload()}


def _special_campaign(w: World) -> int:
    """District A's special campaign running today (made on first use)."""
    from patrols.models import SpecialCampaign

    today = timezone.localdate()
    campaign, _created = SpecialCampaign.objects.get_or_create(
        district=w.district_a,
        name="瓶装水专项整治",
        defaults={"starts_on": today, "ends_on": today, "created_by": w.users["officer_a"]},
    )
    return campaign.pk


def _item_score_body(assessment) -> dict:
    item = assessment.items.order_by("pk").first()
    return {"item": item.pk, "score": str(item.points), "note": "", "evidence": ""}


def _check_body(w: World) -> dict:
    return {"check": w.assessment.checks.order_by("pk").first().pk, "score": "85"}


def _rapid_test(w: World):
    """A rapid test with a photo at community A's draft visit, made the first time a row needs it."""
    from patrols.models import RapidTest
    from patrols.services.rapid_tests import RapidTestInput, rapid_test_on_visit

    found = RapidTest.objects.filter(visit=w.visit).exclude(photo="").first()
    return found or rapid_test_on_visit(
        user=w.users["inspector_a"],
        visit=w.visit,
        data=RapidTestInput(
            tested_at=timezone.now(),
            sample="青菜",
            item="有机磷农药残留",
            method="enzyme_inhibition",
            result="negative",
            photo=jpeg_upload(),
        ),
    )


def _rapid_test_body(w: World) -> dict:
    return {
        "tested_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "sample": "豇豆",
        "item": "克百威",
        "method": "colloidal_gold",
        "result": "negative",
        "finding_kind": "safety_risk",
        "severity": "2",
    }


def _api_rapid_test_body(w: World) -> dict:
    return {
        "visit": str(w.visit.client_id),
        "tested_at": timezone.now().isoformat(),
        "sample": "豇豆",
        "item": "克百威",
        "method": "colloidal_gold",
        "result": "negative",
    }


EXPECTED: dict[str, Row] = {
    # The site, the installable app and accounts
    "home": Row(ANY_USER, _r("home")),
    "me": Row(ANY_USER, _r("me")),
    "healthz": Row(PUBLIC, _r("healthz")),
    "pwa_service_worker": Row(PUBLIC, _r("pwa_service_worker")),
    "pwa_manifest": Row(PUBLIC, _r("pwa_manifest")),
    "pwa_offline": Row(PUBLIC, _r("pwa_offline")),
    "login": Row(PUBLIC, _r("login")),
    # Logging out answers with the login page, for everyone.
    "logout": Row("LLLLLLLLL", _r("logout"), "post"),
    "password_change": Row(ANY_USER, _r("password_change")),
    "password_change_done": Row(ANY_USER, _r("password_change_done")),
    "set_language": Row(PUBLIC, _r("set_language"), "post", lambda w: {"language": "en"}),
    # Establishment registry
    "patrols:establishment_list": Row(ANY_USER, _r("patrols:establishment_list")),
    "patrols:establishment_create": Row(ANY_USER, _r("patrols:establishment_create")),
    "patrols:establishment_export": Row(ANY_USER, _r("patrols:establishment_export")),
    "patrols:establishment_import": Row(ANY_USER, _r("patrols:establishment_import")),
    "patrols:establishment_import_template": Row(ANY_USER, _r("patrols:establishment_import_template")),
    "patrols:establishment_detail": Row(A_RECORD, _r("patrols:establishment_detail", lambda w: w.shop.pk)),
    "patrols:establishment_edit": Row(A_RECORD, _r("patrols:establishment_edit", lambda w: w.shop.pk)),
    "patrols:establishment_qr": Row(A_RECORD, _r("patrols:establishment_qr", lambda w: w.shop.pk)),
    "patrols:establishment_poster": Row(A_RECORD, _r("patrols:establishment_poster", lambda w: w.shop.pk)),
    # Proposed changes to the district's fields (patrols.governance): a community proposes, the
    # district office (or the city, or the admin) decides; the offices do not propose, they edit.
    "patrols:proposal_list": Row(ANY_USER, _r("patrols:proposal_list")),
    "patrols:proposal_create": Row(
        A_TEAM_OR_REVIEWERS,
        _r("patrols:proposal_create", lambda w: w.shop.pk),
        "post",
        lambda w: {"risk_class": "A", "watch_list": "red", "reason": "连续一年无问题"},
    ),
    "patrols:proposal_accept": Row(
        DISTRICT_A_OR_CITY_MANAGERS, _r("patrols:proposal_accept", lambda w: w.proposal.pk), "post"
    ),
    "patrols:proposal_refuse": Row(
        DISTRICT_A_OR_CITY_MANAGERS,
        _r("patrols:proposal_refuse", lambda w: w.proposal.pk),
        "post",
        lambda w: {"note": "尚未复查"},
    ),
    "patrols:public_establishment": Row(PUBLIC, _r("patrols:public_establishment", _public_token)),
    # The red and black lists: each district office publishes its own; anyone reads what was published.
    "patrols:public_watch_lists": Row(PUBLIC, _r("patrols:public_watch_lists", lambda w: w.district_a.code)),
    "patrols:public_watch_list_publication": Row(
        PUBLIC, _r("patrols:public_watch_list_publication", lambda w: w.district_a.code, _publication)
    ),
    "patrols:watch_lists": Row(DISTRICT_OFFICES, _r("patrols:watch_lists")),
    "patrols:grading_target": Row(DISTRICT_OFFICES, _r("patrols:grading_target")),
    "patrols:grading_target POST": Row(
        DISTRICT_OFFICES,
        _r("patrols:grading_target"),
        "post",
        lambda w: {"target_percent": 100, "deadline": f"{timezone.localdate().replace(day=1):%Y-%m-%d}"},
    ),
    "patrols:watch_list_publish": Row(DISTRICT_OFFICES, _r("patrols:watch_list_publish"), "post"),
    "patrols:public_establishment_qr": Row(PUBLIC, _r("patrols:public_establishment_qr", _public_token)),
    # The shop's copy of a visit record, by the shop's token and the record's signed token.
    "patrols:public_visit_record": Row(
        PUBLIC, _r("patrols:public_visit_record", _public_token, _record_token)
    ),
    "patrols:public_visit_record_pdf": Row(
        PUBLIC, _r("patrols:public_visit_record_pdf", _public_token, _record_token)
    ),
    # Patrol records
    "patrols:patrol_list": Row(ANY_USER, _r("patrols:patrol_list")),
    "patrols:patrol_today": Row(ANY_USER, _r("patrols:patrol_today")),
    "patrols:patrol_review": Row(A_REVIEWERS, _r("patrols:patrol_review")),
    "patrols:patrol_calendar": Row(ANY_USER, _r("patrols:patrol_calendar")),
    "patrols:patrol_overview": Row(ABOVE_COMMUNITY, _r("patrols:patrol_overview")),
    "patrols:patrol_detail": Row(A_RECORD, _r("patrols:patrol_detail", lambda w: w.draft.pk)),
    # A day's record by its date (a phone's day started offline): each community's own.
    "patrols:patrol_on_day": Row(
        COMMUNITY_STAFF, _r("patrols:patrol_on_day", lambda w: f"{w.draft.date:%Y-%m-%d}")
    ),
    "patrols:visit_create_on_day": Row(
        A_TEAM_ONLY,
        _r("patrols:visit_create_on_day", lambda w: f"{w.draft.date:%Y-%m-%d}", lambda w: w.pharmacy.pk),
        "post",
        _visit_body,
    ),
    "patrols:visit_create": Row(
        A_TEAM_ONLY,
        _r("patrols:visit_create", lambda w: w.draft.pk, lambda w: w.pharmacy.pk),
        "post",
        _visit_body,
    ),
    "patrols:visit_edit": Row(
        A_TEAM_ONLY, _r("patrols:visit_edit", lambda w: w.visit.pk), "post", lambda w: {"result": "compliant"}
    ),
    "patrols:patrol_submit": Row(A_TEAM_ONLY, _r("patrols:patrol_submit", lambda w: w.draft.pk), "post"),
    "patrols:patrol_approve": Row(
        A_REVIEWERS, _r("patrols:patrol_approve", lambda w: w.submitted.pk), "post"
    ),
    "patrols:patrol_send_back": Row(
        A_REVIEWERS,
        _r("patrols:patrol_send_back", lambda w: w.submitted.pk),
        "post",
        lambda w: {"reason": "照片不清楚"},
    ),
    "patrols:patrol_amend": Row(
        A_TEAM_OR_REVIEWERS,
        _r("patrols:patrol_amend", lambda w: w.archived.pk),
        "post",
        lambda w: {"target": "notes", "corrected": "补充说明", "reason": "漏记"},
    ),
    "patrols:photo_file": Row(A_RECORD, _r("patrols:photo_file", lambda w: w.photo.pk)),
    # The visit record a shop keeps: seen like its visit; signed or marked refused by the team only,
    # while the record is open (A's reviewers and the offices see it but are not on the team).
    "patrols:visit_record": Row(A_RECORD, _r("patrols:visit_record", lambda w: w.visit.pk)),
    "patrols:visit_record_pdf": Row(A_RECORD, _r("patrols:visit_record_pdf", lambda w: w.visit.pk)),
    "patrols:visit_sign": Row(
        A_TEAM_ONLY,
        _r("patrols:visit_sign", lambda w: w.visit.pk),
        "post",
        lambda w: {"signer_name": "张老板", "signature": signature_data_url()},
    ),
    "patrols:visit_refuse": Row(
        A_TEAM_ONLY,
        _r("patrols:visit_refuse", lambda w: w.visit.pk),
        "post",
        lambda w: {"reason": "不愿签字"},
    ),
    "patrols:finding_list": Row(ANY_USER, _r("patrols:finding_list")),
    "patrols:finding_detail": Row(A_RECORD, _r("patrols:finding_detail", lambda w: w.rectification.pk)),
    "patrols:finding_evidence_file": Row(
        A_RECORD, _r("patrols:finding_evidence_file", lambda w: w.evidence.pk)
    ),
    # A rectification's evidence is added by A's community staff, its follow-up made by A's inspectors
    # (not the finder, partner A): outsiders do not find it (404), the offices above are refused (403).
    "patrols:finding_evidence_add": Row(
        A_TEAM_OR_REVIEWERS,
        _r("patrols:finding_evidence_add", lambda w: w.rectification.pk),
        "post",
        lambda w: {"image": jpeg_upload()},
    ),
    "patrols:finding_follow_up": Row(
        A_TEAM_ONLY,
        _r("patrols:finding_follow_up", lambda w: w.rectification.pk),
        "post",
        lambda w: {"passed": "yes", "note": "已整改"},
    ),
    "patrols:checklist_list": Row(ANY_USER, _r("patrols:checklist_list")),
    "patrols:checklist_edit": Row(DISTRICT_OFFICES, _r("patrols:checklist_edit", "food_retail")),
    "patrols:rectification_rules": Row(DISTRICT_OFFICES, _r("patrols:rectification_rules")),
    "patrols:rectification_rules POST": Row(
        DISTRICT_OFFICES,
        _r("patrols:rectification_rules"),
        "post",
        lambda w: {"minor_days": 10, "major_days": 5, "serious_days": 2, "district_after_days": 3},
    ),
    # Patrol kinds: district A's special campaigns and monthly targets, set by each district office.
    "patrols:campaign_list": Row(ANY_USER, _r("patrols:campaign_list")),
    "patrols:campaign_create": Row(DISTRICT_OFFICES, _r("patrols:campaign_create")),
    "patrols:campaign_create POST": Row(
        DISTRICT_OFFICES,
        _r("patrols:campaign_create"),
        "post",
        lambda w: {
            "name": "校园食堂开学前专项检查",
            "starts_on": f"{timezone.localdate():%Y-%m-%d}",
            "ends_on": f"{timezone.localdate():%Y-%m-%d}",
            "checklist_items": "食堂从业人员健康证",
        },
    ),
    "patrols:campaign_edit": Row(DISTRICT_A_STAFF, _r("patrols:campaign_edit", _special_campaign)),
    "patrols:patrol_targets": Row(ANY_USER, _r("patrols:patrol_targets")),
    "patrols:patrol_targets POST": Row(
        DISTRICT_OFFICES, _r("patrols:patrol_targets"), "post", lambda w: {"night": 2}
    ),
    # Rapid tests: a visit's are seen like its record and added by its team while it is open; the
    # district's test room is its office's (each office its own).
    "patrols:rapid_test_list": Row(ANY_USER, _r("patrols:rapid_test_list")),
    "patrols:rapid_test_room": Row(DISTRICT_OFFICES, _r("patrols:rapid_test_room")),
    "patrols:rapid_test_photo": Row(A_RECORD, _r("patrols:rapid_test_photo", lambda w: _rapid_test(w).pk)),
    "patrols:visit_rapid_tests": Row(
        A_TEAM_ONLY, _r("patrols:visit_rapid_tests", lambda w: w.visit.pk), "post", _rapid_test_body
    ),
    "patrols:visit_rapid_tests GET": Row(A_RECORD, _r("patrols:visit_rapid_tests", lambda w: w.visit.pk)),
    # Leads, rewards, incidents
    "patrols:lead_list": Row(ANY_USER, _r("patrols:lead_list")),
    "patrols:lead_create": Row(COMMUNITY_STAFF, _r("patrols:lead_create")),
    "patrols:lead_detail": Row(A_RECORD, _r("patrols:lead_detail", lambda w: w.lead.pk)),
    "patrols:lead_verify": Row(DISTRICT_A_STAFF, _r("patrols:lead_verify", lambda w: w.lead.pk), "post"),
    "patrols:lead_file": Row(DISTRICT_A_STAFF, _r("patrols:lead_file", lambda w: w.lead.pk), "post"),
    "patrols:lead_dismiss": Row(
        DISTRICT_A_STAFF,
        _r("patrols:lead_dismiss", lambda w: w.lead.pk),
        "post",
        lambda w: {"note": "查无实据"},
    ),
    "patrols:lead_escalate": Row(DISTRICT_A_STAFF, _r("patrols:lead_escalate", lambda w: w.lead.pk), "post"),
    "patrols:reward_list": Row(ANY_USER, _r("patrols:reward_list")),
    "patrols:reward_mark_paid": Row(
        DISTRICT_A_STAFF, _r("patrols:reward_mark_paid", lambda w: w.reward.pk), "post"
    ),
    "patrols:incident_list": Row(ANY_USER, _r("patrols:incident_list")),
    "patrols:incident_create": Row(COMMUNITY_STAFF, _r("patrols:incident_create")),
    "patrols:incident_detail": Row(A_RECORD, _r("patrols:incident_detail", lambda w: w.incident.pk)),
    "patrols:incident_escalate": Row(
        DISTRICT_A_STAFF,
        _r("patrols:incident_escalate", lambda w: w.incident.pk),
        "post",
        lambda w: {"note": "中毒人数多，需市局协调"},
    ),
    # Notifications: a notice is its recipient's alone
    "notifications:list": Row(ANY_USER, _r("notifications:list")),
    "notifications:open": Row(A_TEAM_ONLY, _r("notifications:open", lambda w: w.notification.pk)),
    "notifications:mark_all_read": Row(ANY_USER, _r("notifications:mark_all_read"), "post"),
    # Each person's own channels; nobody's page shows anyone else's.
    "notifications:preferences": Row(ANY_USER, _r("notifications:preferences")),
    "notifications:preferences POST": Row(
        ANY_USER, _r("notifications:preferences"), "post", lambda w: {"channels": ["email"], "mobile": ""}
    ),
    # A unit's group robots: set by its own office (a community's head, the district or city
    # office) or the admin; community A's are A's head's and the admin's only.
    "notifications:robot_units": Row(ROBOT_SETTERS, _r("notifications:robot_units")),
    "notifications:unit_robots": Row(
        A_ROBOT_SETTERS, _r("notifications:unit_robots", lambda w: w.community_a.pk)
    ),
    "notifications:unit_robots POST": Row(
        A_ROBOT_SETTERS,
        _r("notifications:unit_robots", lambda w: w.community_a.pk),
        "post",
        lambda w: {
            "kind": "wecom",
            "action": "save",
            "wecom-webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix-key-01",
            "wecom-enabled": "on",
        },
    ),
    # Monthly reports, exports, articles, archive
    "reporting:report_home": Row(ANY_USER, _r("reporting:report_home")),
    "reporting:dashboard": Row(ANY_USER, _r("reporting:dashboard")),
    "reporting:remind": Row(ABOVE_COMMUNITY, _r("reporting:remind"), "post", lambda w: {"month": _month(w)}),
    "reporting:report": Row(A_RECORD, _r("reporting:report", lambda w: w.community_a.pk, _month)),
    "reporting:export_xlsx": Row(A_RECORD, _r("reporting:export_xlsx", lambda w: w.community_a.pk, _month)),
    "reporting:export_pdf": Row(A_RECORD, _r("reporting:export_pdf", lambda w: w.community_a.pk, _month)),
    "reporting:article_list": Row(ANY_USER, _r("reporting:article_list")),
    "reporting:article_new": Row(COMMUNITY_STAFF, _r("reporting:article_new")),
    "reporting:article": Row(A_RECORD, _r("reporting:article", lambda w: w.article.pk)),
    "reporting:article_forward": Row(
        DISTRICT_A_STAFF_OR_ADMIN, _r("reporting:article_forward", lambda w: w.article.pk), "post"
    ),
    # Pictures and the video of A's article: seen like the article, changed by A's staff until forwarded.
    "reporting:article_media_file": Row(
        A_RECORD, _r("reporting:article_media_file", lambda w: w.article_picture.pk)
    ),
    "reporting:article_media_add": Row(
        A_TEAM_OR_REVIEWERS,
        _r("reporting:article_media_add", lambda w: w.article.pk),
        "post",
        lambda w: {"pictures": [jpeg_upload()]},
    ),
    "reporting:article_media_remove": Row(
        A_TEAM_OR_REVIEWERS, _r("reporting:article_media_remove", lambda w: w.article_picture.pk), "post"
    ),
    "reporting:archive": Row(ANY_USER, _r("reporting:archive")),
    # Ledgers (台账): the page for anyone who reads records; community A's hazard ledger of the last
    # month for A's people, its district and the city (another unit's is a 404).
    "reporting:ledgers": Row(ANY_USER, _r("reporting:ledgers")),
    "reporting:ledger_download": Row(A_RECORD, _ledger_url),
    # District A's summary as sent: the district office and the levels above, not its communities.
    "reporting:stored_summary": Row(
        DISTRICT_A_OR_CITY_MANAGERS,
        _r(
            "reporting:stored_summary",
            lambda w: w.district_a.pk,
            lambda w: f"{w.stored_summary.period:%Y-%m}",
        ),
    ),
    # Publicity and model units
    "publicity:home": Row(ANY_USER, _r("publicity:home")),
    "publicity:record_new": Row(COMMUNITY_STAFF, _r("publicity:record_new", "brochure")),
    "publicity:photo": Row(A_RECORD, _r("publicity:photo", "board", lambda w: w.board.pk)),
    "publicity:calendar": Row(ANY_USER, _r("publicity:calendar")),
    # Training and drills: every user reads their district's targets; the offices set them.
    "publicity:training": Row(ANY_USER, _r("publicity:training")),
    "publicity:training POST": Row(
        ABOVE_COMMUNITY, _r("publicity:training"), "post", lambda w: {"measure": "drills", "target": "1"}
    ),
    "publicity:training_session": Row(A_RECORD, _r("publicity:training_session", lambda w: w.training.pk)),
    # A community's people record its sessions; the district offices one of their district's.
    "publicity:record_new training": Row("Looooooxx", _r("publicity:record_new", "training")),
    "publicity:model_units": Row(ANY_USER, _r("publicity:model_units")),
    "publicity:model_units_plan": Row(
        DISTRICT_A_OR_CITY_MANAGERS,
        _r("publicity:model_units_plan"),
        "post",
        lambda w: {"year": w.target.year, "district": w.district_a.pk},
    ),
    "publicity:model_target": Row(DISTRICT_A_WIDE, _r("publicity:model_target", lambda w: w.target.pk)),
    "publicity:model_candidate_status": Row(
        DISTRICT_A_OR_CITY_MANAGERS,
        _r("publicity:model_candidate_status", lambda w: w.candidate.pk),
        "post",
        lambda w: {"status": "accepted"},
    ),
    # Year-end assessment (§9)
    "assessment:home": Row(ANY_USER, _r("assessment:home")),
    "assessment:mine": Row(ANY_USER, _r("assessment:mine")),
    "assessment:sheet": Row(DISTRICT_OFFICES, _r("assessment:sheet", "community")),
    "assessment:ranking": Row(
        DISTRICT_A_OR_CITY_MANAGERS, _r("assessment:ranking", lambda w: w.district_a.pk)
    ),
    "assessment:ranking_xlsx": Row(
        DISTRICT_A_OR_CITY_MANAGERS, _r("assessment:ranking_xlsx", lambda w: w.district_a.pk)
    ),
    "assessment:ranking_pdf": Row(
        DISTRICT_A_OR_CITY_MANAGERS, _r("assessment:ranking_pdf", lambda w: w.district_a.pk)
    ),
    # District A's assessment of community A, under way, and A's submitted assessment of its inspector
    # (the inspector's own result: A's people see it, the other community's inspector does not).
    "assessment:detail": Row(A_ASSESSMENT_UNDER_WAY, _r("assessment:detail", lambda w: w.assessment.pk)),
    "assessment:detail inspector": Row(
        A_RECORD, _r("assessment:detail", lambda w: w.inspector_assessment.pk)
    ),
    "assessment:detail POST": Row(
        A_ASSESSORS,
        _r("assessment:detail", lambda w: w.assessment.pk),
        "post",
        lambda w: {"action": "submit"},
    ),
    "assessment:export_xlsx": Row(
        A_ASSESSMENT_UNDER_WAY, _r("assessment:export_xlsx", lambda w: w.assessment.pk)
    ),
    "assessment:export_xlsx inspector": Row(
        A_RECORD, _r("assessment:export_xlsx", lambda w: w.inspector_assessment.pk)
    ),
    "assessment:export_pdf": Row(
        A_ASSESSMENT_UNDER_WAY, _r("assessment:export_pdf", lambda w: w.assessment.pk)
    ),
    "assessment:export_pdf inspector": Row(
        A_RECORD, _r("assessment:export_pdf", lambda w: w.inspector_assessment.pk)
    ),
    # Starting an assessment that is already open opens it again, for its assessors only.
    "assessment:start": Row(
        A_ASSESSORS,
        _r("assessment:start"),
        "post",
        lambda w: {"tier": "community", "unit": w.community_a.pk},
    ),
    "assessment:start inspector": Row(
        A_INSPECTOR_ASSESSORS,
        _r("assessment:start"),
        "post",
        lambda w: {"tier": "inspector", "user": w.users["inspector_a"].pk},
    ),
    "assessment-list": Row(ANY_USER, _r("assessment-list")),
    "criteria-sheet-list": Row(ANY_USER, _r("criteria-sheet-list")),
    # The rules are read by the assessed: community A's sheet for its inspectors by A's people,
    # district A's sheet for its communities by every community of the district.
    "criteria-sheet-detail": Row(A_RECORD, _r("criteria-sheet-detail", lambda w: w.criteria_sheet.pk)),
    "criteria-sheet-detail district": Row(
        DISTRICT_A_WIDE, _r("criteria-sheet-detail", lambda w: w.district_sheet.pk)
    ),
    "assessment-detail": Row(A_ASSESSMENT_UNDER_WAY, _r("assessment-detail", lambda w: w.assessment.pk)),
    "assessment-detail inspector": Row(
        A_RECORD, _r("assessment-detail", lambda w: w.inspector_assessment.pk)
    ),
    "assessment-start": Row(
        A_ASSESSORS,
        _r("assessment-start"),
        "post",
        lambda w: {"tier": "community", "unit": w.community_a.pk},
        json=True,
    ),
    "assessment-start inspector": Row(
        A_INSPECTOR_ASSESSORS,
        _r("assessment-start"),
        "post",
        lambda w: {"tier": "inspector", "user": w.users["inspector_a"].pk},
        json=True,
    ),
    "assessment-score": Row(
        A_ASSESSORS,
        _r("assessment-score", lambda w: w.assessment.pk),
        "post",
        lambda w: _item_score_body(w.assessment),
        json=True,
    ),
    # A submitted assessment is frozen: its assessors pass the access check and are told so (400).
    "assessment-score inspector": Row(
        "Lxxvvxxxv",
        _r("assessment-score", lambda w: w.inspector_assessment.pk),
        "post",
        lambda w: _item_score_body(w.inspector_assessment),
        json=True,
    ),
    "assessment-check-inspector": Row(
        A_ASSESSORS,
        _r("assessment-check-inspector", lambda w: w.assessment.pk),
        "post",
        _check_body,
        json=True,
    ),
    "assessment-submit": Row(
        A_ASSESSORS, _r("assessment-submit", lambda w: w.assessment.pk), "post", json=True
    ),
    # The API: a token, the schema and its reference pages
    "api-root": Row(ANY_USER, _r("api-root")),
    # Anyone may ask for a token; wrong credentials are refused as such (400).
    "api_token": Row(
        "vvvvvvvvv", _r("api_token"), "post", lambda w: {"username": "nobody", "password": "wrong"}, json=True
    ),
    "api_schema": Row(PUBLIC, _r("api_schema")),
    "api_docs": Row(PUBLIC, _r("api_docs")),
    "api_redoc": Row(PUBLIC, _r("api_redoc")),
    # API lists: each answers only with the caller's area (tests/test_scoping.py checks the rows)
    **{
        name: Row(ANY_USER, _r(name))
        for name in (
            "orgunit-list",
            "user-list",
            "notification-list",
            "establishment-list",
            "patrol-list",
            "visit-list",
            "photo-list",
            "finding-list",
            "checklist-list",
            "special-campaign-list",
            "lead-list",
            "rapid-test-list",
            "reward-list",
            "incident-list",
            "monthly-report-list",
            "figure-list",
            "article-list",
            "boardupdate-list",
            "publicityactivity-list",
            "brochuredrop-list",
            "trainingsession-list",
            "collectionbox-list",
            "boxcollection-list",
            "campaign-list",
            "model-target-list",
            "model-candidate-list",
            "establishment-proposal-list",
            "api-token-list",
            "group-robot-list",
        )
    },
    # API details of community A's records
    "orgunit-detail": Row(A_RECORD, _r("orgunit-detail", lambda w: w.community_a.pk)),
    "user-detail": Row(A_RECORD, _r("user-detail", lambda w: w.users["inspector_a"].pk)),
    "notification-detail": Row(A_TEAM_ONLY, _r("notification-detail", lambda w: w.notification.pk)),
    "establishment-detail": Row(A_RECORD, _r("establishment-detail", lambda w: w.shop.pk)),
    "patrol-detail": Row(A_RECORD, _r("patrol-detail", lambda w: w.draft.client_id)),
    "special-campaign-detail": Row(DISTRICT_A_WIDE, _r("special-campaign-detail", _special_campaign)),
    "visit-detail": Row(A_RECORD, _r("visit-detail", lambda w: w.visit.client_id)),
    "photo-detail": Row(A_RECORD, _r("photo-detail", lambda w: w.photo.client_id)),
    "finding-detail": Row(A_RECORD, _r("finding-detail", lambda w: w.finding.pk)),
    "lead-detail": Row(A_RECORD, _r("lead-detail", lambda w: w.lead.pk)),
    "rapid-test-detail": Row(A_RECORD, _r("rapid-test-detail", lambda w: _rapid_test(w).pk)),
    "reward-detail": Row(A_RECORD, _r("reward-detail", lambda w: w.reward.pk)),
    "incident-detail": Row(A_RECORD, _r("incident-detail", lambda w: w.incident.pk)),
    "incident-reports": Row(
        "Loxoooxxx",
        _r("incident-reports", lambda w: w.incident.pk),
        "post",
        lambda w: {"text": "续报：学生已送医"},
        json=True,
    ),
    "incident-escalate": Row(
        DISTRICT_A_STAFF,
        _r("incident-escalate", lambda w: w.incident.pk),
        "post",
        lambda w: {"note": "中毒人数多，需市局协调"},
        json=True,
    ),
    "monthly-report-detail": Row(A_RECORD, _r("monthly-report-detail", lambda w: w.report.pk)),
    # A unit's month rolled up (reporting.rollup): a unit outside the person's area is not found.
    "monthly-report-rollup": Row(
        A_RECORD, lambda w: f"{reverse('monthly-report-rollup')}?unit={w.community_a.pk}&period={_month(w)}"
    ),
    "article-detail": Row(A_RECORD, _r("article-detail", lambda w: w.article.pk)),
    "boardupdate-detail": Row(A_RECORD, _r("boardupdate-detail", lambda w: w.board.pk)),
    "publicityactivity-detail": Row(A_RECORD, _r("publicityactivity-detail", lambda w: w.activity.pk)),
    "brochuredrop-detail": Row(A_RECORD, _r("brochuredrop-detail", lambda w: w.brochure.pk)),
    "trainingsession-detail": Row(A_RECORD, _r("trainingsession-detail", lambda w: w.training.pk)),
    "collectionbox-detail": Row(A_RECORD, _r("collectionbox-detail", lambda w: w.box.pk)),
    "boxcollection-detail": Row(A_RECORD, _r("boxcollection-detail", lambda w: w.collection.pk)),
    "campaign-detail": Row(DISTRICT_A_WIDE, _r("campaign-detail", lambda w: w.campaign.pk)),
    "model-target-detail": Row(DISTRICT_A_WIDE, _r("model-target-detail", lambda w: w.target.pk)),
    # A candidate of community A is community A's record (a sibling community sees nothing of it).
    "model-candidate-detail": Row(A_RECORD, _r("model-candidate-detail", lambda w: w.candidate.pk)),
    "establishment-proposal-detail": Row(
        A_RECORD, _r("establishment-proposal-detail", lambda w: w.proposal.pk)
    ),
    # API operations, each with a body that passes validation so that only access decides
    "visit-list POST": Row(A_TEAM_CREATES, _r("visit-list"), "post", _api_visit_body, json=True),
    "photo-list POST": Row(A_TEAM_CREATES, _r("photo-list"), "post", _api_photo_body),
    "rapid-test-list POST": Row(
        A_TEAM_CREATES, _r("rapid-test-list"), "post", _api_rapid_test_body, json=True
    ),
    "finding-evidence": Row(
        A_TEAM_OR_REVIEWERS,
        _r("finding-evidence", lambda w: w.rectification.pk),
        "post",
        lambda w: {"image": jpeg_upload()},
    ),
    "finding-follow-up": Row(
        A_TEAM_ONLY,
        _r("finding-follow-up", lambda w: w.rectification.pk),
        "post",
        lambda w: {"passed": True, "note": "已整改"},
        json=True,
    ),
    "patrol-submit": Row(A_TEAM_ONLY, _r("patrol-submit", lambda w: w.draft.client_id), "post", json=True),
    "patrol-approve": Row(
        A_REVIEWERS, _r("patrol-approve", lambda w: w.submitted.client_id), "post", json=True
    ),
    "patrol-send-back": Row(
        A_REVIEWERS,
        _r("patrol-send-back", lambda w: w.submitted.client_id),
        "post",
        lambda w: {"reason": "照片不清楚"},
        json=True,
    ),
    "patrol-approve-many": Row(
        A_REVIEWERS, _r("patrol-approve-many"), "post", lambda w: {"ids": [w.submitted.pk]}, json=True
    ),
    "patrol-amend": Row(
        A_TEAM_OR_REVIEWERS,
        _r("patrol-amend", lambda w: w.archived.client_id),
        "post",
        lambda w: {"field": "notes", "corrected": "补充说明", "reason": "漏记"},
        json=True,
    ),
    "lead-verify": Row(DISTRICT_A_STAFF, _r("lead-verify", lambda w: w.lead.pk), "post", json=True),
    # A lead is filed once verified: A's office passes the access check and is told so (400).
    "lead-file": Row("Lxxxxvxxx", _r("lead-file", lambda w: w.lead.pk), "post", json=True),
    "lead-dismiss": Row(
        DISTRICT_A_STAFF,
        _r("lead-dismiss", lambda w: w.lead.pk),
        "post",
        lambda w: {"reason": "查无实据"},
        json=True,
    ),
    "lead-escalate": Row(DISTRICT_A_STAFF, _r("lead-escalate", lambda w: w.lead.pk), "post", json=True),
    "notification-mark-read": Row(
        ANY_USER, _r("notification-mark-read"), "post", lambda w: {"ids": [w.notification.pk]}, json=True
    ),
    "monthly-report-submit": Row(
        A_REVIEWERS,
        _r("monthly-report-submit"),
        "post",
        lambda w: {"unit": w.community_a.pk, "period": _month(w), "narrative": "本月巡查正常"},
        json=True,
    ),
    "monthly-report-return": Row(
        "Lxxxxoxxo",
        _r("monthly-report-return", lambda w: w.submitted_report.pk),
        "post",
        lambda w: {"reason": "数字有误"},
        json=True,
    ),
    "monthly-report-reopen": Row(
        DISTRICT_A_STAFF_OR_ADMIN,
        _r("monthly-report-reopen"),
        "post",
        lambda w: {
            "unit": w.community_a.pk,
            "period": f"{w.locked_period:%Y-%m}",
            "reason": "补报",
            "until": f"{timezone.localdate():%Y-%m-%d}",
        },
        json=True,
    ),
    "article-forward": Row(
        DISTRICT_A_STAFF_OR_ADMIN, _r("article-forward", lambda w: w.article.pk), "post", json=True
    ),
    "article-media": Row(
        A_TEAM_OR_REVIEWERS,
        _r("article-media", lambda w: w.article.pk),
        "post",
        lambda w: {"pictures": [jpeg_upload()]},
    ),
    # A proposal names an establishment: outsiders are told it does not exist (400), the offices
    # that may see it are refused (403: they change the register themselves).
    "establishment-proposal-list POST": Row(
        "Lovooxvxx",
        _r("establishment-proposal-list"),
        "post",
        lambda w: {"establishment": w.shop.pk, "changes": {"risk_class": "A"}, "reason": "多次投诉"},
        json=True,
    ),
    "establishment-proposal-accept": Row(
        DISTRICT_A_OR_CITY_MANAGERS,
        _r("establishment-proposal-accept", lambda w: w.proposal.pk),
        "post",
        json=True,
    ),
    "establishment-proposal-refuse": Row(
        DISTRICT_A_OR_CITY_MANAGERS,
        _r("establishment-proposal-refuse", lambda w: w.proposal.pk),
        "post",
        lambda w: {"note": "尚未复查"},
        json=True,
    ),
    "notification-preferences": Row(ANY_USER, _r("notification-preferences")),
    "notification-preferences PATCH": Row(
        ANY_USER, _r("notification-preferences"), "patch", lambda w: {"channels": ["email"]}, json=True
    ),
    "group-robot-list POST": Row(
        A_ROBOT_CREATES,
        _r("group-robot-list"),
        "post",
        lambda w: {
            "org_unit": w.community_a.pk,
            "kind": "dingtalk",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=matrix-token-01",
            "secret": "SECmatrix0123456789",
        },
        json=True,
    ),
    "group-robot-detail": Row(A_ROBOT_SETTERS, _r("group-robot-detail", lambda w: w.robot.pk)),
    "group-robot-detail PATCH": Row(
        A_ROBOT_SETTERS,
        _r("group-robot-detail", lambda w: w.robot.pk),
        "patch",
        lambda w: {"enabled": False},
        json=True,
    ),
    "group-robot-detail DELETE": Row(
        A_ROBOT_SETTERS, _r("group-robot-detail", lambda w: w.robot.pk), "delete"
    ),
    # API tokens: each person lists, revokes and logs out their own only.
    "api-token-detail": Row(A_TEAM_ONLY, _r("api-token-detail", lambda w: w.api_token_key), "delete"),
    "api-token-logout": Row(ANY_USER, _r("api-token-logout"), "post", json=True),
    "api-token-logout-all": Row(ANY_USER, _r("api-token-logout-all"), "post", json=True),
    "model-target-from-plan": Row(
        "Lvvvvovoo",
        _r("model-target-from-plan"),
        "post",
        lambda w: {"district": w.district_a.pk, "year": w.target.year},
        json=True,
    ),
}


def _row_name(key: str) -> str:
    """Rows that call a URL name a second time, with another method, say so after a space."""
    return key.split(" ")[0]


# URL names deliberately not in the table, with the reason.
SKIPPED: dict[str, str] = {
    "admin:*": "Django admin: staff only; test_admin_is_for_staff_only opens every registered model",
    "api-root with format suffix": "format-suffix variants (.json) answer like the URL without it",
}


def _walk(patterns, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            space = pattern.namespace or ""
            full = f"{namespace}:{space}" if namespace and space else (space or namespace)
            yield from _walk(pattern.url_patterns, full, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield name, prefix + str(pattern.pattern)


def url_names() -> set[str]:
    """Every URL name of the project, admin internals aside."""
    names = set()
    for name, route in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") or route.startswith("admin/"):
            continue
        assert name, f"The URL {route!r} has no name: give it one and a row in EXPECTED."
        names.add(name)
    return names


def test_every_url_is_in_the_table():
    covered = {_row_name(key) for key in EXPECTED} | set(SKIPPED)
    missing = sorted(url_names() - covered)
    assert not missing, (
        f"URLs without a row in tests/test_permission_matrix.py EXPECTED: {missing}. "
        "Add a row saying who may open each (one letter per person in PEOPLE)."
    )


def test_no_row_for_a_url_that_is_gone():
    covered = {_row_name(key) for key in EXPECTED} | {name for name in SKIPPED if " " not in name}
    assert not sorted(covered - url_names() - {"admin:*"})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """One town for the whole module (building it takes seconds); each test rolls back its changes.

    The year-end assessment window is open throughout, so that scoring and submitting are decided by
    access alone, whatever the day the tests run.
    """
    media = tmp_path_factory.mktemp("media")
    window = assessment_window_open_on(timezone.localdate())
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, ASSESSMENT_WINDOW=window),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def sessions(world) -> dict[str, str]:
    """Each person's session cookie, logged in once for the module (the sessions are module data)."""
    cookies = {}
    for person in PEOPLE[1:]:
        client = Client()
        client.force_login(world.users[person])
        cookies[person] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def browser(person: str, sessions: dict[str, str]) -> Client:
    """A fresh browser for the person: what one request does to its cookies stays in it."""
    client = Client()
    if person != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[person]
    return client


def outcome(person: str, response) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and location.startswith(reverse("login")):
        return "L"
    if person == "anonymous" and status in (401, 403):
        return "L"
    if status in (403, 404):
        return "x"
    if status == 400:
        return "v"
    if status < 400:
        return "o"
    return f"<{status}>"


def call(client: Client, row: Row, w: World):
    url = row.url(w)
    data = row.data(w) if row.data else {}
    if row.method == "get":
        return client.get(url, data)
    if row.json:
        return getattr(client, row.method)(url, data, content_type="application/json")
    return getattr(client, row.method)(url, data)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_permission_matrix(key, world, sessions, db):
    row = EXPECTED[key]
    assert len(row.expect) == len(PEOPLE), f"{key}: one letter per person in PEOPLE"
    got = []
    for person in PEOPLE:
        client = browser(person, sessions)
        with transaction.atomic():
            response = call(client, row, world)
            transaction.set_rollback(True)
        got.append(outcome(person, response))
    actual = "".join(got)
    table = "\n".join(
        f"  {p:13} expected {e} got {a}" for p, e, a in zip(PEOPLE, row.expect, got, strict=True) if e != a
    )
    assert actual == row.expect, f"{key} ({row.method.upper()} {row.url(world)}):\n{table}"


def test_admin_is_for_staff_only(world, db):
    """Every model page of the admin: the admin gets it, everybody else the admin's login page."""
    urls = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    urls.append(reverse("admin:index"))
    staff = Client()
    staff.force_login(world.users["admin"])
    for url in urls:
        assert staff.get(url).status_code == 200, url
    for person in PEOPLE[:-1]:
        client = Client()
        if person != "anonymous":
            client.force_login(world.users[person])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, (person, url)
            assert response.headers["Location"].startswith(reverse("admin:login")), (person, url)


def test_the_world_is_current(world, db):
    """The objects the table fills URLs with are what the rows assume."""
    assert world.archived.is_archived and world.draft.is_editable
    assert world.archived_visit.is_signed_by_shop and world.visit.is_far_from_shop
    assert world.submitted.status == "submitted"
    assert world.report.period < timezone.localdate()
    assert not world.assessment.is_frozen and world.assessment.checks.exists()
    assert not world.assessment.items.filter(score__isnull=True).exists()
    assert world.inspector_assessment.is_frozen
    assert world.inspector_assessment.assessee_user == world.users["inspector_a"]
    assert world.criteria_sheet.owner == world.community_a
    assert world.district_sheet.owner == world.district_a

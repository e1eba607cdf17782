"""Who reported a lead is known at the district and above only (§5, §11): every output that lists leads
or rewards shows a community reader 群众 or 信息员 instead of a name, a phone or an account."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zoneinfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Role
from patrols.models import LeadSource
from patrols.services import leads as lead_services
from tests.factories import UserFactory
from tests.test_assessment_results import assess

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PUBLIC_NAME, PUBLIC_PHONE, STAFF_NAME = "李四", "13800001111", "王小明"
SECRETS = (PUBLIC_NAME, PUBLIC_PHONE, STAFF_NAME)


@pytest.fixture
def filed(clock, community_a, shop_a, district_officer_a):
    """A public lead and an information officer's lead of community A, both filed as cases (two rewards)."""
    clock.set(dt.datetime(2026, 4, 2, 10, tzinfo=SHANGHAI))
    # An information officer: inspectors are named in the assessment's sample, as inspectors.
    reporter = UserFactory(
        role=Role.INFO_OFFICER, org_unit=community_a, full_name=STAFF_NAME, certificate_no=""
    )
    public = lead_services.lead_report(
        community=community_a,
        establishment=shop_a,
        description="买到过期牛奶",
        source=LeadSource.PUBLIC,
        reporter_name=PUBLIC_NAME,
        reporter_phone=PUBLIC_PHONE,
    )
    staff = lead_services.lead_report(
        community=community_a,
        establishment=shop_a,
        description="无证经营",
        source="info_officer",
        reporter=reporter,
    )
    for lead in (public, staff):
        lead_services.lead_verify(user=district_officer_a, lead=lead)
        lead_services.lead_file(user=district_officer_a, lead=lead)
    clock.set(dt.datetime(2026, 12, 5, 10, tzinfo=SHANGHAI))
    return {"public": public, "staff": staff, "reporter": reporter}


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def outputs(client, api, user, filed, assessment, tmp_path) -> dict[str, str]:
    """Every page, API response, workbook and PDF that lists these leads or rewards, as `user` gets it."""
    client.force_login(user)
    api.force_authenticate(user)
    texts = {
        "lead list": client.get(reverse("patrols:lead_list")).text,
        "reward ledger": client.get(reverse("patrols:reward_list")).text,
        "lead API list": api.get("/api/leads/").content.decode(),
        "reward API": api.get("/api/rewards/").content.decode(),
        "assessment page": client.get(reverse("assessment:detail", args=[assessment.pk])).text,
        "assessment API": api.get(f"/api/assessments/{assessment.pk}/").content.decode(),
    }
    for kind in ("public", "staff"):
        lead = filed[kind]
        texts[f"{kind} lead page"] = client.get(reverse("patrols:lead_detail", args=[lead.pk])).text
        texts[f"{kind} lead API"] = api.get(f"/api/leads/{lead.pk}/").content.decode()
    book = load_workbook(
        io.BytesIO(client.get(reverse("assessment:export_xlsx", args=[assessment.pk])).content),
        read_only=True,
    )
    texts["assessment Excel 奖励台账"] = "\n".join(
        str(value)
        for row in book["奖励台账"].iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    pdf = client.get(reverse("assessment:export_pdf", args=[assessment.pk])).content
    texts["assessment PDF"] = pdf_text(pdf, tmp_path)
    ledger = client.get(
        reverse("reporting:ledger_download"), {"ledger": "leads", "first": "2026-04-01", "last": "2026-04-30"}
    )
    assert ledger.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(ledger.streaming_content)), read_only=True)
    texts["lead ledger"] = "\n".join(
        str(value)
        for row in book.worksheets[0].iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    return texts


def test_community_staff_never_see_who_reported(
    client, api, filed, district_officer_a, head_a, leader_a, info_officer_a, tmp_path
):
    assessment = assess(district_officer_a, filed["public"].community, 0)
    for viewer in (head_a, leader_a, info_officer_a):
        for output, text in outputs(client, api, viewer, filed, assessment, tmp_path).items():
            for secret in SECRETS:
                assert secret not in text, f"{viewer.role} reads {secret} in the {output}"
        ledger = outputs(client, api, viewer, filed, assessment, tmp_path)["assessment Excel 奖励台账"]
        assert "群众" in ledger and "信息员" in ledger
    api.force_authenticate(head_a)
    rewards = api.get("/api/rewards/").json()["results"]
    assert {row["reporter"] for row in rewards} == {None}
    assert sorted(row["reporter_name"] for row in rewards) == ["信息员", "群众"]


def test_district_and_city_see_the_reporter_everywhere(
    client, api, filed, district_officer_a, city_officer, tmp_path
):
    assessment = assess(district_officer_a, filed["public"].community, 0)
    for viewer in (district_officer_a, city_officer):
        texts = outputs(client, api, viewer, filed, assessment, tmp_path)
        for output in (
            "reward ledger",
            "reward API",
            "assessment page",
            "assessment Excel 奖励台账",
            "assessment PDF",
            "lead ledger",
        ):
            assert PUBLIC_NAME in texts[output] and STAFF_NAME in texts[output], (viewer.role, output)
        assert PUBLIC_PHONE in texts["public lead page"] and PUBLIC_PHONE in texts["public lead API"]
        assert PUBLIC_PHONE in texts["lead ledger"]
        assert STAFF_NAME in texts["staff lead page"] and STAFF_NAME in texts["staff lead API"]


def test_a_reporter_sees_their_own_name_on_their_own_lead(client, api, filed, inspector_a):
    reporter, lead = filed["reporter"], filed["staff"]
    client.force_login(reporter)
    assert STAFF_NAME in client.get(reverse("patrols:lead_detail", args=[lead.pk])).text
    api.force_authenticate(reporter)
    assert api.get(f"/api/leads/{lead.pk}/").json()["reporter"] == reporter.pk
    # A colleague of the same community does not.
    api.force_authenticate(inspector_a)
    body = api.get(f"/api/leads/{lead.pk}/").json()
    assert (body["reporter"], body["reporter_name"]) == (None, "信息员")
    assert STAFF_NAME not in str(body["events"])

"""Patrol kinds and rapid tests on an inspector's phone (issue 22, items 1 and 2).

In the evening, with the day's daily patrol already on record, the inspector starts the night
check (夜查) from a page opened once online, without signal, and logs a visit; back online the
phone sends them, and the server holds one night-check record beside the unchanged daily one.
Online, a positive rapid test at a visit opens a finding in the same step.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from patrols.models import (
    Finding,
    FindingKind,
    FindingStatus,
    Patrol,
    PatrolKind,
    RapidTest,
    RapidTestResult,
    Severity,
    Visit,
)
from patrols.services.records import patrol_start, visit_record
from tests.e2e.helpers import eventually, log_in, queued, saved_pages, wait_for_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PATROL_URL = re.compile(r"/patrols/(\d+)/$")
QUEUED = "已离线保存，联网后自动上传"


@pytest.fixture
def daily(town) -> Patrol:
    """The morning's daily patrol of the inspector and the partner, one shop visited."""
    patrol, _created = patrol_start(user=town.inspector, team=[town.partner])
    visit_record(user=town.inspector, patrol=patrol, establishment=town.shops[0], result="compliant")
    return patrol


def test_a_night_check_started_offline_is_its_own_record_beside_the_daily_one(phone, town, daily):
    night_shop = town.shops[2]
    context = phone()
    page = context.new_page()
    log_in(page, town.inspector)

    # Online, from the day's record: the night check's start page, opened once.
    page.goto(f"/patrols/{daily.pk}/")
    wait_for_worker(page)
    expect(page.locator("[data-patrol-kind]")).to_have_text("日常巡查")
    page.locator("[data-other-kinds] a", has_text="夜查").click()
    page.wait_for_url("**/patrols/today/?kind=night")
    expect(page.locator("h1")).to_contain_text("夜查")
    expect(page.locator("#start-patrol")).to_be_visible()
    today = f"{timezone.localdate():%Y-%m-%d}"
    day_url = f"/patrols/on/{today}/night/"
    form_url = f"{day_url}visits/new/{night_shop.pk}/"
    eventually(
        page, lambda: {day_url, form_url} <= set(saved_pages(page)), "the night check's pages to be kept"
    )

    # The signal goes. The start page opens from the phone, and the night check starts with the partner.
    context.set_offline(True)
    page.goto("/patrols/today/?kind=night")
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("夜查")
    page.check(f"input[name='team'][value='{town.partner.pk}']")
    page.click("#start-patrol")
    page.wait_for_url(f"**{day_url}")
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("夜查")

    # A visit, offline.
    page.click(f"a.visit-link:has-text('{night_shop.name}')")
    page.wait_for_url(f"**{form_url}")
    page.click("[data-all-ok]")
    page.click("#save-visit")
    expect(page.locator("#offline-status")).to_contain_text(QUEUED)
    page.go_back()
    page.wait_for_url(f"**{day_url}")
    expect(page.locator("li.visit.waiting")).to_have_count(1)
    assert queued(page) == 2
    assert not Patrol.objects.filter(kind=PatrolKind.NIGHT).exists()

    # The signal returns: start and visit are sent, and the page shows the night check's record.
    context.set_offline(False)
    page.wait_for_url(PATROL_URL, timeout=30_000)
    eventually(page, lambda: queued(page) == 0, "the night check to be sent")
    night = Patrol.objects.get(kind=PatrolKind.NIGHT)
    assert page.url.endswith(f"/patrols/{night.pk}/")
    expect(page.locator("[data-patrol-kind]")).to_have_text("夜查")
    expect(page.locator("li.visit:not(.waiting)")).to_have_count(1)
    expect(page.locator("li.visit .title")).to_have_text(night_shop.name)

    # The server: one night check with its visit and team, and the daily record as it was.
    assert (night.date, night.community) == (timezone.localdate(), town.community)
    assert set(night.team.all()) == {town.inspector, town.partner}
    assert [v.establishment for v in night.visits.all()] == [night_shop]
    assert Patrol.objects.filter(date=timezone.localdate()).count() == 2
    daily_now = Patrol.objects.get(pk=daily.pk)
    assert daily_now.kind == PatrolKind.DAILY
    assert [v.establishment for v in daily_now.visits.all()] == [town.shops[0]]
    assert Visit.objects.count() == 2

    # The start page of the night check now leads to its record; the daily one to the day's.
    page.goto("/patrols/today/?kind=night")
    expect(page).to_have_url(re.compile(f"/patrols/{night.pk}/$"))
    page.goto("/patrols/today/")
    expect(page).to_have_url(re.compile(f"/patrols/{daily.pk}/$"))


def test_a_positive_rapid_test_at_a_visit_opens_a_finding_shown_on_the_record(phone, town, daily):
    visit = daily.visits.get()
    page = phone().new_page()
    log_in(page, town.inspector)
    page.goto(f"/patrols/{daily.pk}/")
    page.locator("li.visit a", has_text="快筛快检").click()
    page.wait_for_url(f"**/visits/{visit.pk}/**")
    expect(page.locator("h1")).to_contain_text(visit.establishment.name)

    form = page.locator("form[enctype='multipart/form-data']")
    form.locator("input[name='sample']").fill("青菜")
    form.locator("input[name='item']").fill("有机磷农药残留")
    form.locator("select[name='method']").select_option("enzyme_inhibition")
    form.locator("input[name='result'][value='positive']").check()
    form.locator("button[type=submit]").click()

    expect(page.locator(".messages, .flash").first).to_contain_text("阳性结果已记为问题")
    test = RapidTest.objects.get()
    finding = Finding.objects.get()
    row = page.locator(f"tr[data-rapid-test='{test.pk}']")
    expect(row).to_contain_text("青菜")
    expect(row).to_contain_text("阳性")
    expect(row.locator("a", has_text=f"问题 #{finding.pk}")).to_have_attribute(
        "href", reverse("patrols:finding_detail", args=[finding.pk])
    )

    # Back on the record, the finding shows under the visit.
    page.click("text=返回记录")
    page.wait_for_url(f"**/patrols/{daily.pk}/")
    shown = page.locator("li.visit .meta", has_text="安全风险")
    expect(shown).to_contain_text("较大")
    expect(shown).to_contain_text(finding.get_status_display())
    shown.locator("a").click()
    page.wait_for_url(f"**{reverse('patrols:finding_detail', args=[finding.pk])}")
    expect(page.locator("body")).to_contain_text("快检阳性：青菜，有机磷农药残留")

    # The server: the test and its finding, on the visit, in one step.
    assert (test.visit, test.result, test.finding) == (visit, RapidTestResult.POSITIVE, finding)
    assert (finding.visit, finding.kind, finding.severity, finding.status) == (
        visit,
        FindingKind.SAFETY_RISK,
        Severity.MAJOR,
        FindingStatus.OPEN,
    )

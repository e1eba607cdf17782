"""A day's patrol on a phone, from the start of the patrol to the archived record (SPEC §4)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from patrols.models import Patrol, PatrolStatus, Photo, Visit
from patrols.services.records import patrol_start
from tests.e2e.helpers import log_in, log_out, saved_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PATROL_URL = re.compile(r"/patrols/(\d+)/$")


def record_visit(
    page: Page, shop_name: str, *, checks: list[str], result: str, findings: str = "", photo=None
):
    page.click(f"a.visit-link:has-text('{shop_name}')")
    page.wait_for_selector("form[data-offline-queue]")
    for index, answer in enumerate(checks):
        page.check(f"input[name='check-{index}'][value='{answer}']")
    page.check(f"input[name='result'][value='{result}']")
    page.fill("textarea[name='findings']", findings)
    page.fill("textarea[name='action_taken']", "当场讲解，要求整改" if result == "issues" else "")
    if photo is not None:
        page.set_input_files("input[name='photos']", str(photo))
    page.click("#save-visit")
    page.wait_for_url(PATROL_URL)
    expect(page.locator(".flash", has_text=shop_name)).to_be_visible()


def test_inspectors_log_a_patrol_and_both_reviewers_archive_it(phone, town, jpeg):
    page = phone().new_page()

    # The inspector starts today's patrol with a partner.
    log_in(page, town.inspector)
    page.goto("/patrols/today/")
    expect(page.locator(f"input[name='team'][value='{town.inspector.pk}']")).to_be_checked()
    page.check(f"input[name='team'][value='{town.partner.pk}']")
    page.click("#start-patrol")
    page.wait_for_url(PATROL_URL)
    patrol = Patrol.objects.get()
    assert set(patrol.team.all()) == {town.inspector, town.partner}

    # Two visits with checklist answers, one photo; the second finds problems.
    first, second = town.shops[0], town.shops[1]
    record_visit(page, first.name, checks=["ok", "ok", "ok"], result="compliant", photo=jpeg)
    record_visit(page, second.name, checks=["ok", "fail"], result="issues", findings="处方药未凭处方销售")
    expect(page.locator("li.visit")).to_have_count(2)
    page.click("#submit-patrol")
    page.click("#confirm-submit-patrol")
    expect(page.locator(".badge.submitted")).to_be_visible()
    log_out(page)
    assert saved_pages(page) == [], "one user's pages must not stay on the phone for the next"

    # The community head approves on the record.
    log_in(page, town.head)
    page.goto(f"/patrols/{patrol.pk}/")
    page.click("#approve-patrol")
    expect(page.locator("#approve-patrol")).to_have_count(0)
    log_out(page)

    # The supervising leader approves it among the records waiting for review.
    log_in(page, town.leader)
    page.goto("/patrols/review/")
    page.check(f"input[name='ids'][value='{patrol.pk}']")
    page.click("#approve-selected")
    expect(page.locator("input[name='ids']")).to_have_count(0)

    # Archived: read-only for everyone, the leader here and the inspector on their phone.
    page.goto(f"/patrols/{patrol.pk}/")
    expect(page.locator(".badge.archived")).to_be_visible()
    for control in (
        "#submit-patrol",
        "#approve-patrol",
        "#send-back",
        "a.visit-link",
        "form[data-offline-queue]",
    ):
        expect(page.locator(control)).to_have_count(0)
    log_out(page)
    log_in(page, town.inspector)
    page.goto(f"/patrols/{patrol.pk}/")
    expect(page.locator(".badge.archived")).to_be_visible()
    expect(page.locator("li.visit")).to_have_count(2)
    expect(page.locator("#submit-patrol")).to_have_count(0)
    expect(page.locator("a.visit-link")).to_have_count(0)
    response = page.goto(f"/patrols/{patrol.pk}/visits/new/{town.shops[2].pk}/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("该记录不能再修改")
    expect(page.locator("form[data-offline-queue]")).to_have_count(0)

    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.ARCHIVED
    assert patrol.head_approved_by == town.head and patrol.leader_approved_by == town.leader
    assert Visit.objects.filter(patrol=patrol).count() == 2
    assert Photo.objects.count() == 1
    assert Photo.objects.get().visit.establishment == first


def test_a_visit_form_with_a_mistake_is_shown_again_and_then_saved(phone, town):
    patrol, _created = patrol_start(user=town.inspector, team=[town.partner])
    page = phone().new_page()
    log_in(page, town.inspector)
    page.goto(f"/patrols/{patrol.pk}/visits/new/{town.shops[0].pk}/")
    client_id = page.input_value("input[name='client_id']")

    page.check("input[name='result'][value='issues']")  # problems found, but none described
    page.click("#save-visit")

    expect(page.locator(".errorlist")).to_be_visible()
    assert page.input_value("input[name='client_id']") == client_id
    assert Visit.objects.count() == 0
    page.fill("textarea[name='findings']", "散装食品未标保质期")
    page.click("#save-visit")
    page.wait_for_url(PATROL_URL)
    expect(page.locator("li.visit")).to_have_count(1)
    assert str(Visit.objects.get().client_id) == client_id


def test_all_met_records_a_compliant_visit_in_two_taps(phone, town):
    patrol, _created = patrol_start(user=town.inspector, team=[town.partner])
    page = phone().new_page()
    log_in(page, town.inspector)
    page.goto(f"/patrols/{patrol.pk}/visits/new/{town.shops[1].pk}/")
    page.click("button[data-all-ok]")
    page.click("#save-visit")
    page.wait_for_url(PATROL_URL)
    visit = Visit.objects.get()
    assert visit.result == "compliant"
    assert [row["ok"] for row in visit.checklist] == [True, True, True]

"""Logging visits without signal (SPEC §4, field conditions): pages from the phone, records queued.

The patrol was started while online; the inspector then loses the signal in a shop.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from patrols.models import Patrol, Photo, Visit
from patrols.services.records import patrol_start, patrol_submit, visit_record
from tests.e2e.helpers import eventually, log_in, queued, saved_pages, wait_for_worker
from tests.factories import EstablishmentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUEUED = "已离线保存，联网后自动上传"


@pytest.fixture
def patrol(town) -> Patrol:
    patrol, _created = patrol_start(user=town.inspector, team=[town.partner])
    return patrol


def fill_visit(page: Page, *, result: str = "compliant", findings: str = "") -> str:
    """Fill the visit form as an inspector does; returns the form's record id."""
    page.check("input[name='check-0'][value='ok']")
    page.check("input[name='check-1'][value='fail']")
    page.check(f"input[name='result'][value='{result}']")
    page.fill("textarea[name='findings']", findings)
    return page.input_value("input[name='client_id']")


def test_visit_saved_offline_is_sent_once_when_the_signal_returns(phone, town, patrol, jpeg):
    context = phone()
    page = context.new_page()
    log_in(page, town.inspector)
    page.goto(f"/patrols/{patrol.pk}/")
    wait_for_worker(page)
    shop = town.shops[0]
    form_url = f"/patrols/{patrol.pk}/visits/new/{shop.pk}/"
    page.goto(form_url)
    eventually(page, lambda: form_url in saved_pages(page), "the visit form to be saved on the phone")

    context.set_offline(True)
    client_id = fill_visit(page, result="issues", findings="冷柜温度偏高")
    page.set_input_files("input[name='photos']", str(jpeg))
    page.click("#save-visit")

    expect(page.locator("#offline-status")).to_contain_text(QUEUED)
    expect(page.locator("#offline-queue-count")).to_have_text("1")
    assert Visit.objects.count() == 0
    kept = page.evaluate_handle("async () => (await window.patrolQueue.entries())[0]")

    context.set_offline(False)

    eventually(page, lambda: queued(page) == 0, "the queue to be sent")
    expect(page.locator("#offline-queue")).to_be_hidden()
    visit = Visit.objects.get()
    assert str(visit.client_id) == client_id
    assert (visit.patrol, visit.establishment, visit.findings) == (patrol, shop, "冷柜温度偏高")
    assert [row["ok"] for row in visit.checklist[:2]] == [True, False]
    assert visit.photos.count() == 1

    # The same record sent again (its answer was lost, say) is stored once.
    page.evaluate(
        # Twice: the first call may only wait for a round that started before the record was back.
        "async (entry) => {"
        " const q = window.patrolQueue; await q.requeue(entry); await q.replay(); await q.replay(); }",
        kept,
    )
    assert queued(page) == 0
    assert Visit.objects.count() == 1
    assert Photo.objects.count() == 1
    assert saved_pages(page)


def test_pages_opened_online_open_offline_with_forms_of_their_own(phone, town, patrol):
    # A visit logged earlier that day, so that the record has something to submit.
    earlier = EstablishmentFactory(community=town.community, name="早点摊")
    visit_record(user=town.inspector, patrol=patrol, establishment=earlier, result="compliant")
    context = phone()
    page = context.new_page()
    log_in(page, town.inspector)
    page.goto(f"/patrols/{patrol.pk}/")
    wait_for_worker(page)
    # The patrol page asks the worker to keep the visit forms it links to.
    forms = [f"/patrols/{patrol.pk}/visits/new/{shop.pk}/" for shop in town.shops]
    eventually(page, lambda: set(forms) <= set(saved_pages(page)), "the visit forms to be saved")
    page.goto(forms[1])
    server_id = page.input_value("input[name='client_id']")
    page.goto("/patrols/today/")
    eventually(page, lambda: "/patrols/today/" in saved_pages(page), "the start page to be saved")

    context.set_offline(True)
    page.goto(f"/patrols/{patrol.pk}/")
    expect(page.locator("#offline-copy")).to_be_visible()
    # Submitting the record needs the server: the phone says so instead of an error page.
    page.click("#submit-patrol")
    page.click("#confirm-submit-patrol")
    expect(page.locator("#offline-status")).to_contain_text("要联网")
    page.goto(forms[1])
    expect(page.locator("#offline-copy")).to_be_visible()
    fresh_id = page.input_value("input[name='client_id']")
    assert fresh_id != server_id
    page.goto(forms[2])
    expect(page.locator("#save-visit")).to_be_visible()
    # The app opens where it starts, /patrols/today/, which leads to today's patrol.
    page.goto("/patrols/today/")
    expect(page).to_have_url(re.compile(f"/patrols/{patrol.pk}/$"))
    expect(page.locator("#offline-copy")).to_be_visible()
    # A page never opened says so, and lists what the phone has.
    page.goto("/patrols/calendar/")
    expect(page.locator("h1")).to_have_text("当前处于离线状态")
    expect(page.locator("#offline-pages a", has_text="巡查记录")).to_have_attribute(
        "href", re.compile(f"/patrols/{patrol.pk}/$")
    )


def test_a_visit_whose_answer_was_lost_is_stored_once(phone, town, patrol):
    page = phone().new_page()
    log_in(page, town.inspector)
    form_url = f"/patrols/{patrol.pk}/visits/new/{town.shops[0].pk}/"
    page.goto(form_url)
    client_id = fill_visit(page)

    def lose_the_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        route.fetch()  # the server stores the visit...
        route.abort("connectionreset")  # ...and the phone never hears back

    page.route(f"**{form_url}", lose_the_answer)
    page.click("#save-visit")
    expect(page.locator("#offline-status")).to_contain_text(QUEUED)
    assert str(Visit.objects.get().client_id) == client_id

    page.unroute(f"**{form_url}")
    page.reload()  # stored records are sent again on every page load

    eventually(page, lambda: queued(page) == 0, "the record to be sent again")
    expect(page.locator("#offline-queue")).to_be_hidden()
    assert Visit.objects.count() == 1


def test_a_record_the_server_refuses_is_set_aside_with_its_reason(phone, town, patrol):
    context = phone()
    page = context.new_page()
    log_in(page, town.inspector)
    page.goto(f"/patrols/{patrol.pk}/visits/new/{town.shops[0].pk}/")
    context.set_offline(True)
    fill_visit(page)
    page.click("#save-visit")
    expect(page.locator("#offline-status")).to_contain_text(QUEUED)
    # Meanwhile the partner, online, records another visit and submits the patrol.
    visit_record(user=town.partner, patrol=patrol, establishment=town.shops[1], result="compliant")
    patrol_submit(user=town.partner, patrol=patrol)

    context.set_offline(False)

    badge = page.locator("#offline-queue")
    expect(badge).to_contain_text("1 条上传失败")
    assert Visit.objects.count() == 1
    badge.locator("button").click()
    expect(badge.locator(".entry.failed .error")).to_contain_text("该记录不能再修改")
    # Not retried by itself: the next round leaves it alone.
    page.evaluate("window.patrolQueue.replay()")
    assert queued(page) == 1
    page.once("dialog", lambda dialog: dialog.accept())
    badge.get_by_role("button", name="删除").click()
    expect(badge).to_be_hidden()
    assert queued(page) == 0

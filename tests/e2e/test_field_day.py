"""A whole field day on a 375 px phone without signal (SPEC §4, field conditions; issue 21).

The inspector opens 今日巡查 online in the morning, then loses the signal: starts the patrol with
the team, logs three visits (one with a finding and a photo, one following up an earlier finding,
one compliant), all shown at once as waiting; back online they are sent in order, each once, and
the page shows the record as the server has it. Then submit, and the head and the leader approve.
The taps of the visit with a finding are counted, as a person would make them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.core.files import File
from django.utils import timezone
from playwright.sync_api import Page, expect

from patrols.models import Finding, FindingStatus, Patrol, PatrolStatus, Photo, Visit
from patrols.services.records import FindingInput, patrol_start, patrol_submit, visit_record
from patrols.services.rectifications import rectification_evidence_add
from tests.e2e.helpers import eventually, log_in, log_out, queued, saved_pages, wait_for_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PATROL_URL = re.compile(r"/patrols/(\d+)/$")
# The aim (issue 21): a visit with a finding and a photo in at most 12 taps and two short texts.
MAX_TAPS, MAX_TEXTS = 12, 2


@dataclass
class Hand:
    """The inspector's thumb: each action counted as the taps it takes on a phone."""

    page: Page
    taps: int = 0
    texts: list[str] = field(default_factory=list)

    def tap(self, selector: str) -> None:
        self.page.locator(selector).first.tap()
        self.taps += 1

    def type(self, selector: str, text: str) -> None:
        self.tap(selector)  # into the field
        self.page.fill(selector, text)
        self.texts.append(text)

    def photo(self, selector: str, path) -> None:
        self.page.set_input_files(selector, str(path))
        self.taps += 2  # open the camera, take the picture

    def reset(self) -> None:
        self.taps, self.texts = 0, []


def test_a_whole_field_day_offline_on_a_phone(phone, town, jpeg):
    shop_risk, shop_follow, shop_plain = town.shops
    # Three days ago the team found a risk at the first shop: today's visit follows it up.
    earlier_day = timezone.localdate() - dt.timedelta(days=3)
    earlier, _ = patrol_start(user=town.inspector, team=[town.partner], date=earlier_day)
    risk = FindingInput(
        "safety_risk", "expired", "货架上有过期面包", timezone.localdate() + dt.timedelta(days=2)
    )
    # Found by the partner: the inspector who follows it up today is not the finder, and the shop
    # has sent a photo of the fix (a rectification closes only with one).
    visit_record(
        user=town.partner, patrol=earlier, establishment=shop_follow, result="issues", finding_items=[risk]
    )
    patrol_submit(user=town.inspector, patrol=earlier)
    old_finding = Finding.objects.get()
    with jpeg.open("rb") as photo:
        rectification_evidence_add(
            user=town.partner, finding=old_finding, upload=File(photo, name="fixed.jpg")
        )

    context = phone()
    page = context.new_page()
    hand = Hand(page)
    log_in(page, town.inspector)

    # The phone's navigation: at most five destinations, each at least 44 px tall, nothing under a ☰.
    bar = page.locator(".bottombar a")
    expect(bar).to_have_count(5)
    assert all(box["height"] >= 44 for box in (bar.nth(i).bounding_box() for i in range(5)))
    expect(page.locator("details.menu")).to_have_count(0)

    # Online in the morning: 今日巡查 is opened, and the phone keeps the day's pages.
    hand.tap(".bottombar a[href='/patrols/today/']")
    expect(page.locator("#start-patrol")).to_be_visible()
    wait_for_worker(page)
    today = f"{timezone.localdate():%Y-%m-%d}"
    day_url = f"/patrols/on/{today}/"
    forms = {shop.pk: f"{day_url}visits/new/{shop.pk}/" for shop in town.shops}
    eventually(
        page, lambda: {day_url, *forms.values()} <= set(saved_pages(page)), "the day's pages to be kept"
    )

    # No signal from here on. The patrol is started with the partner.
    context.set_offline(True)
    hand.tap(f"input[name='team'][value='{town.partner.pk}']")
    hand.tap("#start-patrol")
    page.wait_for_url(f"**{day_url}")
    expect(page.locator("#offline-copy")).to_be_visible()
    assert not Patrol.objects.filter(date=timezone.localdate()).exists()

    # Visit 1, counted: all checks met, a storage risk with a photo.
    hand.reset()
    hand.tap(f"a.visit-link:has-text('{shop_risk.name}')")
    page.wait_for_url(f"**{forms[shop_risk.pk]}")
    hand.tap("[data-all-ok]")
    hand.tap("details.finding summary")
    hand.tap("input[name='finding_category'][value='storage']")
    hand.type("textarea[name='findings']", "冷柜温度偏高")
    hand.photo("input[name='photos']", jpeg)
    hand.tap("#save-visit")
    expect(page.locator("#offline-status")).to_contain_text("已离线保存")
    taps, texts = hand.taps, list(hand.texts)

    # Visit 2: the follow-up of the earlier risk, put right.
    page.go_back()
    page.wait_for_url(f"**{day_url}")
    expect(page.locator("li.visit.waiting")).to_have_count(1)
    expect(page.locator(f"a.visit-link:has-text('{shop_risk.name}')")).to_be_hidden()
    hand.tap(f"a.visit-link:has-text('{shop_follow.name}')")
    expect(page.locator("label.follow-up", has_text="过期变质")).to_be_visible()
    hand.tap(f"input[name='follow_up_of'][value='{old_finding.pk}']")
    hand.tap("input[name='rectified'][value='yes']")
    hand.tap("[data-all-ok]")
    hand.tap("#save-visit")
    expect(page.locator("#offline-status")).to_contain_text("已离线保存")

    # Visit 3: all met.
    page.go_back()
    page.wait_for_url(f"**{day_url}")
    hand.tap(f"a.visit-link:has-text('{shop_plain.name}')")
    hand.tap("[data-all-ok]")
    hand.tap("#save-visit")
    expect(page.locator("#offline-status")).to_contain_text("已离线保存")
    page.go_back()
    page.wait_for_url(f"**{day_url}")

    # Everything made offline shows at once, waiting; nothing has reached the server.
    expect(page.locator("li.visit.waiting")).to_have_count(3)
    expect(page.locator("li.visit.waiting .badge", has_text="待上传")).to_have_count(3)
    expect(page.locator("[data-visit-count]")).to_have_text("3")
    expect(page.locator("a.visit-link:visible")).to_have_count(0)
    assert queued(page) == 4
    assert not Visit.objects.filter(patrol__date=timezone.localdate()).exists()

    # The signal returns: start and visits go in order, each once, and the page shows the record.
    context.set_offline(False)
    page.wait_for_url(PATROL_URL, timeout=30_000)
    eventually(page, lambda: queued(page) == 0, "the day's records to be sent")
    patrol = Patrol.objects.get(date=timezone.localdate())
    assert page.url.endswith(f"/patrols/{patrol.pk}/")
    expect(page.locator("li.visit:not(.waiting)")).to_have_count(3)
    assert [v.establishment for v in patrol.visits.order_by("visited_at")] == [
        shop_risk,
        shop_follow,
        shop_plain,
    ]
    assert set(patrol.team.all()) == {town.inspector, town.partner}

    # Submit, seeing first what is sent.
    hand.tap("#submit-patrol")
    expect(page.locator("#confirm-submit")).to_contain_text("检查 3 户")
    hand.tap("#confirm-submit-patrol")
    expect(page.locator(".badge.submitted")).to_be_visible()
    log_out(page)

    # The head and the leader approve.
    for reviewer in (town.head, town.leader):
        log_in(page, reviewer)
        page.goto(f"/patrols/{patrol.pk}/")
        page.click("#approve-patrol")
        expect(page.locator("#approve-patrol")).to_have_count(0)
        log_out(page)

    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.ARCHIVED
    assert Patrol.objects.filter(date=timezone.localdate()).count() == 1
    assert Visit.objects.filter(patrol=patrol).count() == 3
    new_risk = Finding.objects.get(visit__patrol=patrol)
    assert (new_risk.establishment, new_risk.category, new_risk.status) == (
        shop_risk,
        "storage",
        FindingStatus.OPEN,
    )
    assert new_risk.description == "冷柜温度偏高"
    assert Photo.objects.filter(visit__establishment=shop_risk, visit__patrol=patrol).count() == 1
    old_finding.refresh_from_db()
    assert old_finding.status == FindingStatus.CLOSED
    assert Visit.objects.get(patrol=patrol, establishment=shop_follow).rectified is True

    print(f"\nThe visit with a finding and a photo: {taps} taps and {len(texts)} text(s) {texts}")
    assert taps <= MAX_TAPS and len(texts) <= MAX_TEXTS, (taps, texts)

"""The visit record on the phone (§4): the visit keeps where the phone was when it was saved, even
without signal, and the shop's responsible person signs the record with a finger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from patrols.models import Patrol, Visit
from patrols.services.records import patrol_start
from tests.e2e.helpers import eventually, log_in, queued, saved_pages, wait_for_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Where the phone says it is: by the West Lake, to 12 metres.
WEST_LAKE = {"latitude": 30.2590123, "longitude": 120.1300456, "accuracy": 12.3}


@pytest.fixture
def patrol(town) -> Patrol:
    return patrol_start(user=town.inspector, team=[town.partner])[0]


def test_a_visit_saved_offline_keeps_the_position_and_the_shop_signs_with_a_finger(phone, town, patrol):
    context = phone()
    context.grant_permissions(["geolocation"])
    context.set_geolocation(WEST_LAKE)
    page = context.new_page()
    log_in(page, town.inspector)
    page.goto(f"/patrols/{patrol.pk}/")
    wait_for_worker(page)
    shop = town.shops[0]
    form_url = f"/patrols/{patrol.pk}/visits/new/{shop.pk}/"
    page.goto(form_url)
    eventually(page, lambda: form_url in saved_pages(page), "the visit form to be saved on the phone")
    expect(page.locator("input[name='latitude']")).to_have_value("30.259012")

    # No signal in the shop: the visit is kept on the phone with its position, and sent later.
    context.set_offline(True)
    page.click("[data-all-ok]")
    page.click("#save-visit")
    expect(page.locator("#offline-status")).to_contain_text("已离线保存")
    context.set_offline(False)
    eventually(page, lambda: queued(page) == 0, "the visit to be sent")
    visit = Visit.objects.get()
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (
        Decimal("30.259012"),
        Decimal("120.130046"),
        Decimal("12.3"),
    )

    # The shop's responsible person signs on the phone.
    page.goto(f"/visits/{visit.pk}/record/")
    page.fill("input[name='signer_name']", "张老板")
    # A finger on the glass: touch events, as the phone's screen sends them.
    canvas = page.locator("canvas[data-signature-pad]")
    canvas.scroll_into_view_if_needed()
    pad = canvas.bounding_box()
    finger = context.new_cdp_session(page)
    points = [
        {"x": pad["x"] + 20 + step * 30, "y": pad["y"] + pad["height"] * (0.3 if step % 2 else 0.7)}
        for step in range(9)
    ]
    finger.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [points[0]]})
    for point in points[1:]:
        finger.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    finger.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.click("#save-signature")
    expect(page.locator("[data-signed]")).to_contain_text("张老板")
    expect(page.locator("img.signature")).to_be_visible()
    visit.refresh_from_db()
    assert visit.shop_signer_name == "张老板" and visit.shop_signed_at is not None

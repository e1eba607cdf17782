"""Browser tests on a phone: Debian's Chromium driven by Playwright against pytest-django's live server.

The people of one community: two inspectors, the community head and the supervising leader,
with three establishments to visit. Everyone's password is PASSWORD.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from orgs.models import OrgUnit, Role, User
from patrols.models import Category, ChecklistTemplate, Establishment, RiskClass
from tests.e2e.helpers import PASSWORD
from tests.factories import (
    TEST_PASSWORD,
    CityFactory,
    CommunityFactory,
    DistrictFactory,
    EstablishmentFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in this thread; the ORM beside it is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Without it, context.set_offline() leaves the service worker online (Playwright 1.55, Chromium):
# pages would still come from the server, and the tests would not see the phone's copies.
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
PHONE_VIEWPORT = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives a real browser against the live server")


@pytest.fixture(scope="session")
def playwright(live_server) -> Iterator[Playwright]:
    # Started after the live server and stopped before it, see _wait_for_server_threads.
    with sync_playwright() as p:
        yield p
    _wait_for_server_threads()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _wait_for_server_threads(timeout: float = 5.0) -> None:
    """Let the live server finish the keep-alive connections of the browser and of Playwright's
    own client (route.fetch) before it stops.

    A request thread that ends after the server has stopped sharing its in-memory database
    fails on closing it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in t.name for t in threading.enumerate()):
            return
        time.sleep(0.05)


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """Opens a fresh phone (a browser context: its own cookies, caches, IndexedDB and worker)."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_phone(*, service_workers: str = "allow") -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE_VIEWPORT,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            service_workers=service_workers,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
        contexts.append(context)
        return context

    yield open_phone
    for context in contexts:
        context.close()
    assert not errors, f"scripts failed on the page: {errors}"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Town:
    community: OrgUnit
    inspector: User
    partner: User
    head: User
    leader: User
    shops: list[Establishment]


@pytest.fixture
def town(transactional_db) -> Town:
    city = CityFactory()
    district = DistrictFactory(parent=city, code="330101", name="东城区")
    community = CommunityFactory(parent=district, code="330101001", name="翠苑社区")
    # The factory's password is the test password already hashed (tests.factories); a raw one
    # given here would be stored as it is, and nobody could log in.
    assert PASSWORD == TEST_PASSWORD
    person = {"org_unit": community}
    # The live-server tests empty the database after each test, data migrations included.
    ChecklistTemplate.objects.get_or_create(
        district=None,
        category=Category.FOOD_RETAIL,
        defaults={"items": ["证照齐全有效", "无过期、变质食品", "进货查验记录齐全"]},
    )
    ChecklistTemplate.objects.get_or_create(
        district=None,
        category=Category.PHARMACY,
        defaults={"items": ["证照齐全有效", "处方药凭处方销售", "无过期药品"]},
    )
    return Town(
        community=community,
        inspector=UserFactory(username="insp_zhang", full_name="张巡查", role=Role.INSPECTOR, **person),
        partner=UserFactory(username="insp_li", full_name="李巡查", role=Role.INSPECTOR, **person),
        head=UserFactory(username="head_wang", full_name="王主任", role=Role.COMMUNITY_HEAD, **person),
        leader=UserFactory(
            username="leader_zhao", full_name="赵书记", role=Role.SUPERVISING_LEADER, **person
        ),
        shops=[
            EstablishmentFactory(community=community, name="张记面馆超市", risk_class=RiskClass.A),
            EstablishmentFactory(community=community, name="百姓大药房", category=Category.PHARMACY),
            EstablishmentFactory(community=community, name="阳光便利店", risk_class=RiskClass.C),
        ],
    )


@pytest.fixture
def jpeg(tmp_path: Path) -> Path:
    """A small photo as a phone would take it."""
    path = tmp_path / "shop-front.jpg"
    Image.new("RGB", (320, 240), (40, 140, 90)).save(path, "JPEG", quality=80)
    return path

"""What a person does on the phone, in a few words, for the browser tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page

from orgs.models import User

PASSWORD = "pw-for-tests-1"
WAIT_SECONDS = 10


def log_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def log_out(page: Page) -> None:
    """From the menu (offices) or the page 我的 (community staff, whose phone has a bottom bar)."""
    if page.locator("details.menu summary").count():
        page.click("details.menu summary")
        page.click("details.menu form[action='/accounts/logout/'] button")
    else:
        page.click(".bottombar a[href='/me/']")
        page.click("#log-out")
    page.wait_for_url("**/accounts/login/**")


def wait_for_worker(page: Page) -> None:
    """Wait until the service worker controls the page, so what it loads next is saved on the phone."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def saved_pages(page: Page) -> list[str]:
    """Paths of the pages the worker keeps on the phone."""
    return page.evaluate(
        """async () => {
            const cache = await caches.open("patrol-pages");
            return (await cache.keys()).map((r) => new URL(r.url).pathname);
        }"""
    )


def queued(page: Page) -> int:
    """How many records wait on the phone to be sent. One leaves the queue when the server has
    answered, so its transaction is committed: poll this, not the database, which the live server
    may be writing (SQLite's shared in-memory test database then refuses readers: "table is locked")."""
    return page.evaluate("async () => (await window.patrolQueue.entries()).length")


def eventually(page: Page, condition: Callable[[], object], what: str) -> None:
    """Wait for something the page does in the background (page.wait_for_function does not
    wait for promises, and caches and IndexedDB only answer with promises)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        page.wait_for_timeout(100)

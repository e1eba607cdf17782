"""Bytes and load time of the pages an inspector opens every day, on an emulated slow 3G phone.

Usage, against a running server with the demo city (`make run`, or production settings):

    python scripts/page_weight.py http://127.0.0.1:8001 insp-330101001-1 demo12345

For the home page and today's visit form: the bytes transferred (as the network counts them,
headers and compression included) and the time to the load event, first on an empty phone and
then again with what the phone kept (HTTP cache and the service worker). The connection is
Chrome's slow 3G as the issue names it: 400 ms latency, 400 kbit/s each way.
"""

from __future__ import annotations

import sys
import time

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
PHONE = {"width": 375, "height": 812}


def measure(page: Page, sizes: dict[str, int], url: str) -> tuple[int, float]:
    """(bytes over the network, seconds to the load event) of one visit to `url`."""
    sizes.clear()
    started = time.monotonic()
    page.goto(url, wait_until="load")
    elapsed = time.monotonic() - started
    page.wait_for_timeout(500)  # the last loadingFinished events
    return sum(sizes.values()), elapsed


def main(base: str, username: str, password: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(base_url=base, viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto("/patrols/today/")
        if page.locator("#start-patrol").count():  # today's record is started with a team-mate
            page.locator("input[name='team']:not(:checked)").first.check()
            page.click("#start-patrol")
            page.wait_for_selector("a.visit-link")
        visit_form = page.locator("a.visit-link").first.get_attribute("href")
        # An empty phone again: no HTTP cache, no worker, no kept pages; the login stays.
        cdp = context.new_cdp_session(page)
        sizes: dict[str, int] = {}
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")
        page.evaluate(
            "async () => {"
            " for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();"
            " for (const k of await caches.keys()) await caches.delete(k); }"
        )
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        rows = []
        for name, url in (("home page", "/"), ("visit form", visit_form)):
            first = measure(page, sizes, url)
            page.wait_for_timeout(3000)  # the worker installs and keeps its shell
            repeat = measure(page, sizes, url)
            rows.append((name, url, first, repeat))
        for name, url, (b1, t1), (b2, t2) in rows:
            first, repeat = f"{b1 / 1024:6.1f} KiB {t1:5.2f} s", f"{b2 / 1024:6.1f} KiB {t2:5.2f} s"
            print(f"{name:11} {url:45} first {first}   repeat {repeat}")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])

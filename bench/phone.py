"""Bytes and load time of the pages an inspector opens every day, on an emulated slow 3G phone.

`python -m bench` runs it against its own server (the scale city); on its own, against a running
server with the demo city (`make run`, or production settings):

    python -m bench.phone http://127.0.0.1:8001 insp-330101001-1 demo12345

For the home page and today's visit form: the bytes transferred (as the network counts them,
headers and compression included) and the time to the load event, first on an empty phone and
then again with what the phone kept (its HTTP cache; the service worker is blocked, as it fetches
a page from the network first and the page's network log would not see those bytes). The connection is
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
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
# Targets: bytes on the wire (compressed, fonts and scripts included) and seconds to the load event.
FIRST_BYTES = 50_000
REPEAT_BYTES = 10_000
LOAD_SECONDS = 3.0


def visit(page: Page, sizes: dict[str, int], url: str) -> tuple[int, float]:
    """(bytes over the network, seconds to the load event) of one visit to `url`."""
    sizes.clear()
    started = time.monotonic()
    page.goto(url, wait_until="load")
    elapsed = time.monotonic() - started
    page.wait_for_timeout(500)  # the last loadingFinished events
    return sum(sizes.values()), elapsed


def measure(base: str, username: str, password: str) -> dict:
    """Per page: first and repeat visit, bytes and seconds, against the targets."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The service worker is blocked: what it fetches (a page, network first) is not seen by the
        # page's network log, and it fetches the same bytes the HTTP cache leaves to the network.
        context = browser.new_context(
            base_url=base, viewport=PHONE, is_mobile=True, has_touch=True, service_workers="block"
        )
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
        cdp = context.new_cdp_session(page)
        sizes: dict[str, int] = {}
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.send("Network.enable")

        def empty_phone() -> None:
            """Nothing kept from an earlier visit (the HTTP cache emptied); the login stays."""
            cdp.send("Network.emulateNetworkConditions", {**SLOW_3G, "latency": 0})
            page.goto("/healthz/")
            cdp.send("Network.clearBrowserCache")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)

        result = {}
        for name, url in (("home_page", "/"), ("visit_form", visit_form)):
            empty_phone()
            first_bytes, first_s = visit(page, sizes, url)
            page.wait_for_timeout(1000)
            repeat_bytes, repeat_s = visit(page, sizes, url)
            result[name] = {
                "first_bytes": first_bytes,
                "first_s": round(first_s, 2),
                "repeat_bytes": repeat_bytes,
                "repeat_s": round(repeat_s, 2),
                "target": f"first <= {FIRST_BYTES} B, repeat <= {REPEAT_BYTES} B, each < {LOAD_SECONDS} s",
                "pass": first_bytes <= FIRST_BYTES
                and repeat_bytes <= REPEAT_BYTES
                and max(first_s, repeat_s) < LOAD_SECONDS,
            }
        browser.close()
    return result


if __name__ == "__main__":
    for name, row in measure(*sys.argv[1:4]).items():
        print(
            f"{name:11} first {row['first_bytes'] / 1024:6.1f} KiB {row['first_s']:5.2f} s   "
            f"repeat {row['repeat_bytes'] / 1024:6.1f} KiB {row['repeat_s']:5.2f} s   "
            f"{'pass' if row['pass'] else 'MISS'}"
        )

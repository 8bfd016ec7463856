"""Debian's Chromium, driven through Playwright's sync API, and screenshots of what it shows.

The browser is launched here rather than through pytest-playwright's fixtures, so the tests run
against the system Chromium (no `playwright install`, no download).
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)

from tests.factories import PASSWORD, current_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 800}  # the narrowest phone we design for
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"the browser tests need Debian's Chromium at {CHROMIUM} (apt install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    expect.set_options(timeout=TIMEOUT_MS)
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # only this run's pictures
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


# Every document tells the test of each Content-Security-Policy violation it reports.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`
      + ` on ${event.documentURI} (${event.sourceFile || "the page"}:${event.lineNumber})`
  );
});
"""
CSP_CONSOLE = re.compile(r"Content Security Policy|Content-Security-Policy")


def watch_for_csp_violations(context: BrowserContext, violations: list[str]) -> None:
    """Every CSP violation in `context` lands in `violations`: those a document reports, and
    those only Chromium's console tells (a service worker's, say)."""
    context.expose_function("reportCspViolation", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_CSP_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        if CSP_CONSOLE.search(message.text):
            where = message.page.url if message.page else "a worker"
            violations.append(f"{where} logged: {message.text}")

    context.on("console", on_console)


@pytest.fixture
def open_page(chromium, live_server) -> Iterator[Callable[[], Page]]:
    """Opens a page in a browser context of its own: one person, with their own cookies.

    The test fails on any Content-Security-Policy violation in the pages it opened: our
    templates and scripts keep within the policy of `conference.security`.
    """
    contexts, violations = [], []

    def open_page() -> Page:
        context = chromium.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        watch_for_csp_violations(context, violations)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()  # after the reports still on their way
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


class Screenshots:
    """Full-page screenshots, numbered in the order they are taken: journey-01-event-page.png."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.count = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take_at_both_widths(self, page: Page, what: str) -> None:
        """The page at a desktop's width, then at a phone's."""
        self.take(page, what)
        with phone_sized(page):
            self.take(page, f"{what}, {PHONE['width']} px")

    def take(self, page: Page, what: str) -> Path:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
        path = SCREENSHOTS / f"{self.prefix}-{self.count:02d}-{slug}.png"
        page.wait_for_load_state()  # the page as a person sees it: styles, scripts and images in
        page.screenshot(path=path, full_page=True)
        return path


@contextmanager
def phone_sized(page: Page, size: dict = PHONE) -> Iterator[Page]:
    """The page at a phone's width for a while, then back at a desktop's."""
    page.set_viewport_size(size)
    try:
        yield page
    finally:
        page.set_viewport_size(DESKTOP)


def log_in(
    page: Page,
    email: str,
    *,
    two_factor: bool = False,
    next_url: str | None = None,
    password: str = PASSWORD,
) -> None:
    """Log in through the real form, with the authenticator's code when the role asks for one
    (the tests' team members share `TOTP_SECRET`), going on to `next_url` if given."""
    page.goto("/account/login" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if two_factor:
        page.get_by_label("Code").fill(current_code())
        page.get_by_role("button", name="Continue").click()

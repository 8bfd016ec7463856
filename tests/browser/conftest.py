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
from playwright.sync_api import Browser, Page, expect, sync_playwright

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
PHONE = {"width": 390, "height": 844}
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


@pytest.fixture
def open_page(chromium, live_server) -> Iterator[Callable[[], Page]]:
    """Opens a page in a browser context of its own: one person, with their own cookies."""
    contexts = []

    def open_page() -> Page:
        context = chromium.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


class Screenshots:
    """Full-page screenshots, numbered in the order they are taken: journey-01-event-page.png."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.count = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

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

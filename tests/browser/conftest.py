"""Browser tests: Debian's Chromium driven by Playwright against the local host, on the
session's Azurite with the recording stand-ins for providers (the end-to-end tests'
fixtures, imported from tests/e2e/conftest.py). Signing in goes through the local host's
Easy Auth emulation, as a person would."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.support import ARTIFACTS, CHROMIUM, CSP_WATCH, sign_in
from tests.e2e.conftest import (  # noqa: F401
    api, extra_env, host_port, live_updates, module_env, telesign_api, twilio_api, webpubsub,
)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    return {"executable_path": CHROMIUM, "headless": True,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync"]}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _context(browser: Browser, api, viewport: dict, timezone: str | None = None) -> BrowserContext:  # noqa: F811
    context = browser.new_context(viewport=viewport, base_url=api.host.base_url, timezone_id=timezone)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api.host.base_url)
    context.add_init_script(CSP_WATCH)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def new_page(browser: Browser, api) -> Iterator:  # noqa: F811
    """``new_page(name, *roles, phone=False, timezone=None)``: a page signed in as ``name``,
    in its own browser context (its own session cookie; the browser in ``timezone``, an
    IANA zone, else the machine's)."""
    contexts: list[BrowserContext] = []

    def make(name: str, *roles: str, phone: bool = False, timezone: str | None = None) -> Page:
        context = _context(browser, api, PHONE if phone else DESKTOP, timezone)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, name, *roles)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def anonymous_page(browser: Browser, api) -> Iterator[Page]:  # noqa: F811
    context = _context(browser, api, DESKTOP)
    yield context.new_page()
    context.close()

"""What the browser tests share: signing in through the local emulation, axe-core's
accessibility check, watching for Content-Security-Policy violations, screenshots."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# Runs before any page script (through the DevTools protocol, which the page's CSP does
# not govern) and keeps every violation the page's policy reports.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def sign_in(page: Page, name: str, *roles: str) -> None:
    """Open the app, which sends an unknown visitor to the sign-in page, and sign in there."""
    page.goto("/")
    page.wait_for_url(re.compile(r"/\.auth/login/aad\?post_login_redirect_uri=%2F"))
    page.get_by_label("Name", exact=True).fill(name)
    for role in roles:
        page.get_by_label(role).check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who .name")).to_have_text(name)


def check_page(page: Page, name: str, artifacts: Path | None = None) -> None:
    """No serious or critical axe-core violation, no CSP violation; a screenshot if asked."""
    page.evaluate(AXE.read_text())  # evaluated, not a <script>: the page's CSP allows no inline script
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    blocking = [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in BLOCKING]
    assert blocking == [], f"{name}: {json.dumps(blocking, indent=1)}"
    assert page.evaluate("window.__cspViolations") == [], f"{name}: the page broke its Content-Security-Policy"
    if artifacts is not None:
        page.screenshot(path=str(artifacts / f"{name}.png"))


def save_workstream(page: Page) -> None:
    """Press Save workstream and wait for the API's answer, then its confirmation: on a loaded
    machine the save can outlast the confirmation's own wait."""
    with page.expect_response(lambda r: r.request.method in ("PATCH", "POST")
                              and "/api/admin/workstreams" in r.url) as answer:
        page.get_by_role("button", name="Save workstream").click()
    assert answer.value.ok, answer.value.text()
    expect(page.get_by_role("status").filter(has_text="saved at")).to_be_visible()

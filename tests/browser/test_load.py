"""How much the workspace loads and how soon it answers: script and style of the first
load at most 200 KB compressed, and the inbox drawn and usable within a second on the
local host. The figures go to test-artifacts/performance.json."""

from __future__ import annotations

import gzip
import json
import re

import requests
from playwright.sync_api import expect

from tests.browser.support import check_page

BUDGET_BYTES = 200 * 1000
INTERACTIVE_MS = 1000
# When the inbox's answer is first drawn, by the page's own clock (from navigation start).
DRAWN = """
new MutationObserver((_, observer) => {
  if (document.body && document.body.textContent.includes("No conversations here yet.")) {
    window.__interactiveAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def test_the_first_load_is_small_and_quick(new_page, api, artifacts):
    page = new_page("Ada", "Switchboard.Agent")
    loaded: list[str] = []
    page.on("response", lambda r: loaded.append(r.url) if re.search(r"/assets/.+\.(js|css)$", r.url) else None)
    page.context.add_init_script(DRAWN)
    page.goto("/")
    expect(page.get_by_text("No conversations here yet.")).to_be_visible()
    interactive_ms = page.evaluate("window.__interactiveAt")
    page.get_by_label("State").select_option("open")  # and it answers input
    check_page(page, "workspace-first-load")

    assert loaded, "the page loaded no script or style"
    compressed = sum(len(gzip.compress(requests.get(url, timeout=30).content)) for url in set(loaded))
    figures = {"script_and_style_gzip_bytes": compressed, "assets": sorted(set(loaded)),
               "interactive_ms": round(interactive_ms)}
    (artifacts / "performance.json").write_text(json.dumps(figures, indent=1))
    assert compressed <= BUDGET_BYTES, figures
    assert interactive_ms < INTERACTIVE_MS, figures

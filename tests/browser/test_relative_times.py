"""Relative times on the inbox's cards, with Twilio's stand-in: an offer shows how long the
customer has waited ("waiting 2 min"), growing without a reload (Playwright's fake clock
moves the browser's time on), and once accepted the conversation its last activity ("1 h 2
min ago"); each is a <time> whose datetime is the API's ISO time and whose title and hidden
text give the absolute time; the cards of a queue all tick on one timer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.customers import support_with_ada, text_in
from tests.browser.support import check_page

AGENT = "Switchboard.Agent"

# Counts the page's running intervals by period (before any page script: the app's own).
INTERVALS = """
window.__intervals = new Map();
const setInterval_ = window.setInterval, clearInterval_ = window.clearInterval;
window.setInterval = (f, ms, ...rest) => {
  const id = setInterval_(f, ms, ...rest);
  window.__intervals.set(id, ms);
  return id;
};
window.clearInterval = (id) => { window.__intervals.delete(id); clearInterval_(id); };
"""


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support, pushing offers that last 10 minutes; Ada works it."""
    return {"account": support_with_ada(api, offer_timeout_seconds=600)}


def presence(page: Page, value: str) -> None:
    with page.expect_response(lambda r: r.url.endswith("/api/me/presence") and r.request.method == "PUT"):
        page.get_by_label("Presence").select_option(value)
    expect(page.get_by_label("Presence")).to_have_value(value)


def card(page: Page, region: str, customer: str):
    return page.get_by_role("region", name=re.compile(region)).get_by_role("link").filter(has_text=customer)


def conversation_of(api, link) -> dict:
    return api.call("GET", f"/conversations/{link.get_attribute('href').rsplit('/', 1)[-1]}").json()


def test_an_offer_counts_the_minutes_waited_and_the_held_conversation_its_last_activity(new_page, api, world):
    ada = new_page("Ada", AGENT)
    ada.clock.install()  # the browser's time, moved on below; the server's is real
    ada.reload()
    presence(ada, "available")
    text_in(api, world["account"], "+12065550170", "Still there?")
    offer = card(ada, "^Offers", "+12065550170")
    expect(offer).to_be_visible(timeout=5_000)
    time = offer.locator("time")
    expect(time).to_have_text(re.compile(r"^waiting under 1 min, since .+\d{4}"))
    conversation = conversation_of(api, offer)
    expect(time).to_have_attribute("datetime", conversation["queued_at"])
    title = time.get_attribute("title")
    assert conversation["queued_at"][:4] in title and time.inner_text().endswith(f", since {title}")
    check_page(ada, "workspace-relative-offer")

    ada.clock.fast_forward("02:15")  # past the shared 15-second tick after the second minute
    expect(time).to_have_text(re.compile(r"^waiting 2 min, since "))
    ada.clock.fast_forward("01:00")
    expect(time).to_have_text(re.compile(r"^waiting 3 min, since "))

    ada.get_by_role("button", name="Accept +12065550170").click()
    mine = card(ada, "^Mine", "+12065550170")
    held = mine.locator("time")
    expect(held).to_have_text(re.compile(r"^(just now|[1-4] min ago), "))  # the browser is 3 min ahead
    expect(held).to_have_attribute("datetime", conversation_of(api, mine)["last_activity_at"])
    ada.clock.fast_forward("01:00:00")
    expect(held).to_have_text(re.compile(r"^1 h [1-5] min ago, "))
    check_page(ada, "workspace-relative-held")


def test_the_cards_of_a_queue_share_one_timer(new_page, api, world):
    ada = new_page("Ada", AGENT)
    ada.add_init_script(INTERVALS)
    ada.reload()
    presence(ada, "busy")  # nobody available: they wait in the queue
    for customer in ("+12065550171", "+12065550172"):
        text_in(api, world["account"], customer, "Hello?")
        waiting = card(ada, r"^Queue: Support · no queue", customer)
        expect(waiting).to_be_visible(timeout=5_000)
        expect(waiting.locator("time")).to_have_text(re.compile(r"^waiting (under 1|1) min, since "))
        expect(waiting.locator("time")).to_have_attribute("datetime", conversation_of(api, waiting)["queued_at"])
    assert ada.evaluate("[...window.__intervals.values()].filter((ms) => ms === 15000).length") == 1
    check_page(ada, "workspace-relative-queue")

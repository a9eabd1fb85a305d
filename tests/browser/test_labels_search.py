"""Labels and search in the browser, with Twilio's stand-in. An admin defines labels on the
Labels page, each with its colour (a name taken, whatever its case, is refused beside the
name; a label deleted leaves the list). An agent gives a conversation a label from the pane:
the chip shows there and on its card, in black or white on the label's colour, whichever
reads; a label deleted while the panel is open is refused beside the list; the inbox's Label
filter narrows the lists to the labelled conversation. Search, at the top of the inbox, finds
it by the customer's number written as a national one, by the label's name and by the
conversation's id, each result opening in the pane; Back to inbox brings the lists back; a
query too short is refused beside the box, and Escape clears it. The Reports page grouped by
label shows the label's row and "(no label)". axe-core finds nothing on any screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends, held, open_conversation
from tests.browser.support import check_page
from tests.browser.test_distribution import available, mine
from tests.support.twilio import BUSINESS, account_body
from tests.support.waiting import until

AGENT, ADMIN = "Switchboard.Agent", "Switchboard.Admin"
ADA = ("Ada", "agent")
MARIA, BEN = "+12065550123", "+12065550124"
LABELS = {"VIP": "#d1242f", "Callback": "#ffd33d"}  # white text on the red, black on the yellow
WHITE, BLACK = "rgb(255, 255, 255)", "rgb(0, 0, 0)"


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support, where Ada works; Maria Garcia and Ben Okafor, customers with contacts."""
    answer_sends(api)
    account = api.call("POST", "/admin/accounts", account_body()).json()
    support = api.call("POST", "/admin/workstreams",
                       {"name": "Support", "account_id": account["id"], "number": BUSINESS}).json()
    ada = {"object_id": object_id_of("Ada"), "name": "Ada", "capacity": {"sms": 5},
           "queues": [{"workstream_id": support["id"], "queue": None}]}
    assert api.call("POST", "/admin/agents", ada).status_code == 201
    for phone, name in ((MARIA, "Maria Garcia"), (BEN, "Ben Okafor")):
        assert api.call("POST", "/admin/contacts", {"mobile_phone": phone, "name": name}).status_code == 201
    return {"account": account}


def defined(api) -> None:
    """The labels the admin's test defines, whether it ran first or not."""
    for name, colour in LABELS.items():
        assert api.call("POST", "/admin/labels", {"name": name, "colour": colour}).status_code in (201, 409)


def card(page: Page, who: str):
    return mine(page).get_by_role("link").filter(has_text=who)


def test_an_admin_defines_labels(new_page, api, world, artifacts):
    grace = new_page("Grace", ADMIN)
    grace.get_by_role("navigation", name="Main").get_by_role("link", name="Labels").click()
    expect(grace.get_by_role("heading", name="Labels", exact=True)).to_be_visible()
    expect(grace.get_by_text("No labels yet.")).to_be_visible()
    add = grace.get_by_role("form", name="Add a label")
    name = add.get_by_label("Name", exact=True)
    for label in ("VIP", "Callback", "Spam"):
        name.fill(label)
        add.get_by_label("Colour").fill(LABELS.get(label, "#6e7781"))
        expect(add.locator(".label-preview .label-chip")).to_have_text(label)
        add.get_by_role("button", name="Add label").click()
        expect(grace.get_by_role("status").filter(has_text=f"Added {label}.")).to_be_visible()
    table = grace.get_by_role("table", name="Labels")
    expect(table.get_by_role("rowheader")).to_have_text(["Callback", "Spam", "VIP"])
    vip = table.get_by_role("rowheader", name="VIP").locator(".label-chip")
    expect(vip).to_have_css("background-color", "rgb(209, 36, 47)")
    expect(vip).to_have_css("color", WHITE)
    expect(table.get_by_role("rowheader", name="Callback").locator(".label-chip")).to_have_css("color", BLACK)
    expect(table.get_by_role("row").filter(has_text="VIP")).to_contain_text("#d1242f")
    expect(name).to_have_value("")

    name.fill("vip")
    add.get_by_role("button", name="Add label").click()
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(grace.locator("#field-name-error")).to_have_text("a label named VIP exists already")  # as it was written
    assert name.get_attribute("aria-describedby") == "field-name-error"
    check_page(grace, "labels-admin-taken", artifacts)

    grace.get_by_role("button", name="Delete Spam").click()
    expect(table.get_by_role("rowheader")).to_have_text(["Callback", "VIP"])
    assert sorted((l["name"], l["colour"]) for l in api.call("GET", "/labels").json()["labels"]) == sorted(LABELS.items())
    check_page(grace, "labels-admin", artifacts)


def test_an_agent_labels_a_conversation_and_filters_the_inbox_by_it(new_page, api, world, artifacts):
    defined(api)
    ada = new_page("Ada", AGENT)
    available(ada, "busy")  # nothing offered: Ada holds what she accepts
    maria = held(api, world["account"], MARIA, "My parcel never came", ADA)
    held(api, world["account"], BEN, "A question about my bill", ADA)
    open_conversation(ada, "Maria Garcia")
    header = ada.locator(".pane-header")
    expect(header).to_contain_text("No labels")

    edit = header.get_by_role("button", name="Edit labels")
    edit.click()
    expect(edit).to_have_attribute("aria-expanded", "true")
    editor = ada.get_by_role("form", name="Labels of Maria Garcia")
    expect(editor.get_by_role("checkbox")).to_have_count(2)
    expect(editor.get_by_role("checkbox", name="Callback")).to_be_focused()
    editor.get_by_role("checkbox", name="VIP").check()
    check_page(ada, "labels-pane-editor", artifacts)
    editor.get_by_role("button", name="Save labels").click()
    expect(editor).to_have_count(0)
    expect(edit).to_be_focused()
    expect(ada.get_by_role("status").filter(has_text="Labels saved: VIP")).to_be_attached()
    chip = header.locator(".label-chip")
    expect(chip).to_have_text(["VIP"])
    expect(chip).to_have_css("color", WHITE)
    expect(card(ada, "Maria Garcia").locator(".label-chip")).to_have_text(["VIP"])
    expect(card(ada, "Ben Okafor").locator(".label-chip")).to_have_count(0)
    assert api.call("GET", f"/conversations/{maria}").json()["labels"] == ["VIP"]

    # A label deleted while the panel is open: refused beside the list, which is read again.
    assert api.call("POST", "/admin/labels", {"name": "Gone soon", "colour": "#0b57d0"}).status_code == 201
    edit.click()
    editor.get_by_role("checkbox", name="Gone soon").check()
    assert api.call("DELETE", "/admin/labels/Gone%20soon").status_code == 204
    editor.get_by_role("button", name="Save labels").click()
    refusal = ada.locator("#label-editor-error")
    expect(refusal).to_have_text("Gone soon is not a label any more")
    assert editor.get_by_role("group", name=re.compile("^Labels")).get_attribute("aria-describedby") == \
        "label-editor-error"
    expect(editor.get_by_role("checkbox")).to_have_count(2)
    check_page(ada, "labels-pane-refused", artifacts)
    ada.keyboard.press("Escape")
    expect(editor).to_have_count(0)
    expect(edit).to_be_focused()
    assert api.call("GET", f"/conversations/{maria}").json()["labels"] == ["VIP"]

    label_filter = ada.get_by_label("Label", exact=True)
    expect(label_filter.locator("option")).to_have_text(["Any label", "Callback", "VIP"])
    label_filter.select_option("VIP")
    expect(mine(ada).locator(".inbox-item .who")).to_have_text(["Maria Garcia"])
    check_page(ada, "labels-inbox-filter", artifacts)
    label_filter.select_option("Callback")
    expect(ada.get_by_text("No conversation here has the label Callback.")).to_be_visible()
    label_filter.select_option("")
    expect(mine(ada).locator(".inbox-item")).to_have_count(2)


def test_a_label_made_after_the_workspace_opened_shows_in_its_colour(new_page, api, world):
    """An admin makes a label while Ada works, and it is put on a conversation she holds:
    her card shows it in its colour (not as a deleted label's plain chip), and her Label
    filter offers it, with no reload."""
    defined(api)
    ada = new_page("Ada", AGENT)
    available(ada, "busy")
    cid = held(api, world["account"], BEN, "A question about my bill", ADA)
    expect(card(ada, "Ben Okafor")).to_be_visible()
    assert api.call("POST", "/admin/labels", {"name": "Late", "colour": "#d1242f"}).status_code in (201, 409)
    assert api.call("PUT", f"/conversations/{cid}/labels", {"labels": ["Late"]}).status_code == 200
    chip = card(ada, "Ben Okafor").locator(".label-chip")
    expect(chip).to_have_text(["Late"], timeout=10_000)
    expect(chip).to_have_css("color", WHITE)
    expect(chip).not_to_have_class(re.compile(r"\bretired\b"))
    expect(ada.get_by_label("Label", exact=True).locator("option", has_text="Late")).to_have_count(1)
    assert api.call("PUT", f"/conversations/{cid}/labels", {"labels": []}).status_code == 200


def test_search_finds_a_conversation_by_number_label_and_id(new_page, api, world, artifacts):
    defined(api)
    ada = new_page("Ada", AGENT)
    available(ada, "busy")
    maria = held(api, world["account"], MARIA, "My parcel never came", ADA)
    held(api, world["account"], BEN, "A question about my bill", ADA)
    assert api.call("PUT", f"/conversations/{maria}/labels", {"labels": ["VIP"]}, as_=ADA).status_code == 200
    box = ada.get_by_role("search", name="Search conversations").get_by_label("Search: number, name, label or id")
    results = ada.get_by_role("region", name=re.compile("^Results for"))
    expect(mine(ada).locator(".inbox-item")).to_have_count(2)

    box.fill("(206) 555-0123")
    box.press("Enter")
    expect(results.get_by_role("heading")).to_have_text("Results for “(206) 555-0123”")
    expect(results.locator(".meta[aria-live]")).to_have_text("1 conversation")
    expect(results.locator(".inbox-item .who")).to_have_text(["Maria Garcia"])
    expect(results.locator(".inbox-item .label-chip")).to_have_text(["VIP"])
    expect(mine(ada)).to_have_count(0)  # the results stand in for the lists
    check_page(ada, "search-results", artifacts)
    ada.set_viewport_size({"width": 390, "height": 844})
    assert ada.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the screen"
    check_page(ada, "search-results-phone", artifacts)
    ada.set_viewport_size({"width": 1280, "height": 800})
    results.get_by_role("link").filter(has_text="Maria Garcia").click()
    expect(ada.get_by_role("heading", level=2, name="Maria Garcia")).to_be_visible()
    expect(results.get_by_role("link").filter(has_text="Maria Garcia")).to_have_attribute("aria-current", "true")

    for query in ("vip", maria):
        box.fill(query)
        box.press("Enter")
        expect(results.get_by_role("heading")).to_have_text(f"Results for “{query}”")
        expect(results.locator(".inbox-item .who")).to_have_text(["Maria Garcia"])
        expect(results.get_by_role("link")).to_have_attribute("href", f"#/inbox/{maria}")

    results.get_by_role("button", name="Back to inbox").click()
    expect(results).to_have_count(0)
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    expect(mine(ada).locator(".inbox-item")).to_have_count(2)

    box.fill("a")
    box.press("Enter")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(ada.locator("#inbox-search-error")).to_have_text(
        "must hold a name's word of 2 letters or more, or 4 digits or more")
    assert box.get_attribute("aria-describedby") == "inbox-search-error"
    expect(mine(ada).locator(".inbox-item")).to_have_count(2)  # nothing searched: the lists stay
    check_page(ada, "search-refused", artifacts)
    box.press("Escape")
    expect(box).to_have_value("")
    expect(ada.locator("#inbox-search-error")).to_have_count(0)
    expect(box).not_to_have_attribute("aria-invalid", "true")

    box.fill("Ben")
    box.press("Enter")
    expect(results.locator(".inbox-item .who")).to_have_text(["Ben Okafor"])
    box.press("Escape")
    expect(results).to_have_count(0)
    expect(mine(ada).locator(".inbox-item")).to_have_count(2)


def test_the_report_by_label_shows_each_label(new_page, api, world, artifacts):
    defined(api)
    maria = held(api, world["account"], MARIA, "My parcel never came", ADA)
    held(api, world["account"], BEN, "A question about my bill", ADA)
    assert api.call("PUT", f"/conversations/{maria}/labels", {"labels": ["VIP"]}, as_=ADA).status_code == 200
    until(lambda: {g["label"] for g in api.call("GET", "/reports/summary", params={"group_by": "label"}).json()["groups"]}
          >= {"VIP", "(no label)"})

    grace = new_page("Grace", ADMIN)
    grace.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    grace.get_by_label("Table by").select_option("label")
    grace.get_by_role("button", name="Show").click()
    by_label = grace.get_by_role("region", name="By label")
    expect(by_label.get_by_role("rowheader")).to_have_text(["(no label)", "VIP"])
    vip = by_label.get_by_role("row").filter(has=grace.get_by_role("rowheader", name="VIP"))
    expect(vip.get_by_role("cell").nth(0)).to_have_text(re.compile(r"^1 conversations"))
    expect(by_label).to_contain_text("A conversation counts under each of its labels")
    by_label.scroll_into_view_if_needed()
    check_page(grace, "reports-by-label", artifacts)

    vip.get_by_role("link", name="1 conversations (VIP): list the conversations").click()
    drill = grace.get_by_role("region", name=re.compile("^Conversations behind"))
    expect(drill.get_by_role("heading")).to_have_text("Conversations behind “Conversations: VIP”")
    expect(drill.locator("tbody tr")).to_have_attribute("data-conversation", maria)

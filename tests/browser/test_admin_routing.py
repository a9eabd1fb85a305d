"""Skills, overflow and the waiting message in the browser, with Twilio's stand-in. An admin
keeps the skills catalogue (a name taken is refused beside the name; a skill in use cannot
be deleted, and why shows under its row), gives an agent a skill (a proficiency of 11 is
refused beside it), and on a workstream's page makes a routing rule need it, sets when to
widen to the closest match, adds overflow rules (a move without its queue is refused beside
that control; each rule shows only the fields its condition and action use) and a waiting
message: the API keeps them as given. In a pick-mode queue the agent sees first, marked, the
conversation whose skills she has, and what each needs; the overflow rule that acted shows in
its history; today's service-level share shows on the Supervise page. axe-core finds
nothing on any of the screens."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends, text_in
from tests.browser.support import check_page, save_workstream
from tests.support.twilio import BUSINESS, account_body

AGENT, ADMIN = "Switchboard.Agent", "Switchboard.Admin"
SALES = "+14252306563"
BUSY = {"name": "Busy", "queue": "general", "when": "waiting_over", "threshold": 1, "action": "message",
        "text": "Thanks for waiting: you are number {{position}} in line."}
CUSTOMERS = {"+12065550191": "Paul Smith", "+12065550192": "Greta Schmidt", "+12065550193": "Amélie Dubois"}


def needing(skill: str, word: str, level: int) -> dict:
    """A rule sending a first message with ``word`` to general, needing ``skill`` at ``level``."""
    return {"name": skill, "queue": "general", "conditions": [{"field": "body", "operator": "contains", "value": word}],
            "skills": [{"name": skill, "min_proficiency": level}]}


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support (push: queues general and spanish) where Ada works; Sales (pick: one queue,
    French and German rules, an overflow rule telling a customer with one ahead their place,
    a first-response target) where Bo, who speaks French, takes conversations."""
    answer_sends(api)
    numbers = [{"number": n, "type": "long_code"} for n in (BUSINESS, SALES)]
    account = api.call("POST", "/admin/accounts", account_body(numbers=numbers)).json()
    for skill in ("French", "German"):
        assert api.call("POST", "/admin/skills", {"name": skill}).status_code == 201
    support, sales = (api.call("POST", "/admin/workstreams", {"account_id": account["id"], **body}).json() for body in (
        {"name": "Support", "number": BUSINESS, "queues": ["general", "spanish"], "default_queue": "general"},
        {"name": "Sales", "number": SALES, "queues": ["general"], "default_queue": "general",
         "routing_rules": [needing("French", "bonjour", 5), needing("German", "hallo", 3)],
         "distribution": {"mode": "pick"}, "allow_automated_messages": True, "overflow": [BUSY],
         "service_levels": {"first_response_minutes": 5}}))
    people = {"Ada": (support, "general", []), "Bo": (sales, "general", [{"name": "French", "proficiency": 7}])}
    for name, (workstream, queue, skills) in people.items():
        agent = {"object_id": object_id_of(name), "name": name, "capacity": {"sms": 5}, "skills": skills,
                 "queues": [{"workstream_id": workstream["id"], "queue": queue}]}
        assert api.call("POST", "/admin/agents", agent).status_code == 201
    for phone, name in CUSTOMERS.items():
        assert api.call("POST", "/admin/contacts", {"mobile_phone": phone, "name": name}).status_code == 201
    return {"account": account, "support": support, "sales": sales}


def refused(page: Page, control, field_id: str, message: str | re.Pattern) -> None:
    """The control is marked invalid and described by the API's message beside it."""
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{field_id}-error")).to_have_text(message)
    assert control.get_attribute("aria-describedby").split()[0] == f"{field_id}-error"


def test_an_admin_keeps_skills_gives_them_and_routes_by_them(new_page, api, world, artifacts):
    grace = new_page("Grace", ADMIN)
    grace.get_by_role("navigation", name="Main").get_by_role("link", name="Skills").click()
    expect(grace.get_by_role("heading", name="Skills", exact=True)).to_be_visible()
    add = grace.get_by_role("form", name="Add a skill")
    for name, description in (("Spanish", "Customers who write in Spanish"), ("Billing", "")):
        add.get_by_label("Name", exact=True).fill(name)
        add.get_by_label("Description").fill(description)
        add.get_by_role("button", name="Add skill").click()
        expect(grace.get_by_role("status").filter(has_text=f"Added {name}.")).to_be_visible()
    table = grace.get_by_role("table", name="Skills")
    expect(table.get_by_role("rowheader")).to_have_text(["Billing", "French", "German", "Spanish"])
    expect(table.get_by_role("row").filter(has_text="Spanish")).to_contain_text("Customers who write in Spanish")
    expect(add.get_by_label("Name", exact=True)).to_have_value("")

    add.get_by_label("Name", exact=True).fill("spanish")
    add.get_by_role("button", name="Add skill").click()
    refused(grace, add.get_by_label("Name", exact=True), "field-name", "a skill named Spanish exists already")  # as it was written
    check_page(grace, "admin-skills-taken", artifacts)

    # Ada gets Spanish; a proficiency past 10 is refused beside it.
    grace.get_by_role("link", name="Agents").click()
    grace.get_by_role("link", name="Ada", exact=True).click()
    skills = grace.get_by_role("group", name="Skills")
    skills.get_by_role("button", name="Add skill").click()
    skills.get_by_label("Skill 1", exact=True).select_option("Spanish")
    skills.get_by_label("Skill 1 proficiency").fill("11")
    grace.get_by_role("button", name="Save agent").click()
    proficiency = skills.get_by_label("Skill 1 proficiency")
    refused(grace, proficiency, "field-skills-0-proficiency", "must be a whole number from 1 to 10")
    expect(grace.get_by_role("alert")).to_contain_text("Skill 1 proficiency: must be a whole number from 1 to 10")
    skills.scroll_into_view_if_needed()
    check_page(grace, "admin-agent-skills-error", artifacts)
    proficiency.fill("8")
    grace.get_by_role("button", name="Save agent").click()
    expect(grace.get_by_role("row").filter(has_text="Ada")).to_contain_text("Spanish 8")
    ada = api.call("GET", f"/admin/agents/{object_id_of('Ada')}").json()
    assert ada["skills"] == [{"name": "Spanish", "proficiency": 8}]

    # Support: a rule needing Spanish, widening after 2 minutes, overflow, a waiting message.
    grace.get_by_role("link", name="Workstreams").click()
    grace.get_by_role("link", name="Support", exact=True).click()
    grace.get_by_role("button", name="Add rule").click()
    grace.get_by_label("Rule 1 name", exact=True).fill("Spanish speakers")
    grace.get_by_label("Rule 1 queue", exact=True).select_option("spanish")
    grace.get_by_label("Rule 1 condition 1 value").fill("hola")
    needs = grace.get_by_role("group", name="Rule 1 needs skills")
    needs.get_by_role("button", name="Add skill").click()
    needs.get_by_label("Rule 1 skill 1", exact=True).select_option("Spanish")
    needs.get_by_label("Rule 1 skill 1 minimum proficiency").fill("6")
    grace.get_by_label("Offer to the closest match after").fill("120")
    grace.get_by_role("group", name="Distribution").scroll_into_view_if_needed()
    check_page(grace, "admin-distribution", artifacts)
    needs.scroll_into_view_if_needed()
    check_page(grace, "admin-routing-skills", artifacts)

    overflow = grace.get_by_role("group", name="Overflow", exact=True)
    overflow.get_by_role("button", name="Add overflow rule").click()
    overflow.get_by_label("Overflow rule 1 name").fill("Swamped")
    expect(overflow.get_by_label("Overflow rule 1 queue")).to_have_value("general")
    expect(overflow.get_by_label("Overflow rule 1 condition")).to_have_value("waiting_over")
    overflow.get_by_label("Overflow rule 1 threshold (conversations ahead)").fill("20")
    expect(overflow.get_by_label("Overflow rule 1 text")).to_have_count(0)  # a move sends nothing
    grace.get_by_role("button", name="Save workstream").click()  # without the queue to move to
    to_queue = overflow.get_by_label("Overflow rule 1 moves to")
    refused(grace, to_queue, "field-overflow-0-to_queue", "is required")  # checked in the browser
    expect(grace.get_by_role("alert")).to_contain_text("Overflow rule 1 moves to: is required")
    expect(to_queue.locator("option")).to_have_text(["Pick a queue", "spanish"])  # not the rule's own queue
    overflow.scroll_into_view_if_needed()
    check_page(grace, "admin-overflow-error", artifacts)
    to_queue.select_option("spanish")

    overflow.get_by_role("button", name="Add overflow rule").click()
    overflow.get_by_label("Overflow rule 2 name").fill("Nobody here")
    overflow.get_by_label("Overflow rule 2 queue").select_option(label="No queue (unqueued)")
    overflow.get_by_label("Overflow rule 2 condition").select_option(label="Nobody available")
    expect(overflow.get_by_label("Overflow rule 2 threshold", exact=False)).to_have_count(0)
    overflow.get_by_label("Overflow rule 2 action").select_option(label="Send a message")
    expect(overflow.get_by_label("Overflow rule 2 moves to")).to_have_count(0)
    overflow.get_by_label("Overflow rule 2 text").fill("Our team is busy: you are number {{position}}.")
    expect(overflow).to_contain_text("{{position}} becomes the customer's place in the queue")
    off = grace.locator(".notice.warn").filter(has_text="Automated messages are off")
    expect(off).to_be_visible()
    grace.get_by_label("Tell a customer still waiting their place in the queue").check()
    grace.get_by_label("After waiting (seconds)").fill("240")
    expect(grace.get_by_label("Waiting message text")).to_have_value(
        "You are number {{position}} in line; about {{expected_wait}} to wait.")
    expect(off).to_have_count(2)  # beside the overflow rules and the waiting message
    grace.get_by_role("group", name="Waiting message").scroll_into_view_if_needed()
    check_page(grace, "admin-overflow", artifacts)
    grace.get_by_label("Send automated messages").check()
    expect(off).to_have_count(0)

    save_workstream(grace)
    expect(grace.get_by_role("alert")).to_have_count(0)
    support = api.call("GET", f"/admin/workstreams/{world['support']['id']}").json()
    assert support["routing_rules"] == [{
        "name": "Spanish speakers", "queue": "spanish",
        "conditions": [{"field": "body", "operator": "contains", "value": "hola"}],
        "skills": [{"name": "Spanish", "min_proficiency": 6}]}]
    assert support["distribution"]["widen_skills_after_seconds"] == 120
    assert support["overflow"] == [
        {"name": "Swamped", "queue": "general", "when": "waiting_over", "threshold": 20, "action": "move",
         "to_queue": "spanish", "text": ""},
        {"name": "Nobody here", "queue": None, "when": "nobody_available", "threshold": None, "action": "message",
         "to_queue": None, "text": "Our team is busy: you are number {{position}}."}]
    assert support["waiting_message"] == {
        "after_seconds": 240, "text": "You are number {{position}} in line; about {{expected_wait}} to wait."}
    assert support["allow_automated_messages"] is True
    expect(grace.get_by_label("Offer to the closest match after")).to_have_value("120")
    expect(grace.get_by_label("Rule 1 skill 1 minimum proficiency")).to_have_value("6")

    # Spanish is in use (Ada has it, a rule needs it): refused, and why shows under its row.
    grace.get_by_role("link", name="Skills").click()
    delete = grace.get_by_role("button", name="Delete Spanish")
    delete.click()
    why = grace.locator("#skill-Spanish-error")
    expect(why).to_contain_text("skill Spanish is in use (agent Ada, rule Support: Spanish speakers)")
    expect(delete).to_have_attribute("aria-describedby", "skill-Spanish-error")
    grace.get_by_role("button", name="Delete Billing").click()
    expect(table.get_by_role("rowheader")).to_have_text(["French", "German", "Spanish"])
    check_page(grace, "admin-skills", artifacts)
    assert [s["name"] for s in api.call("GET", "/admin/skills").json()["skills"]] == ["French", "German", "Spanish"]


def test_a_pick_queue_lists_first_what_the_agent_has_the_skills_for(new_page, api, world, artifacts):
    account = world["account"]
    for phone, body in zip(CUSTOMERS, ("Hi, a question", "Hallo, eine Frage", "Bonjour, une question")):
        text_in(api, account, phone, body, To=SALES)  # the oldest first: Paul, Greta, Amélie

    bo = new_page("Bo", AGENT)
    queue = bo.get_by_role("region", name=re.compile(r"^Queue: Sales · general"))
    cards = queue.locator(".inbox-item")
    expect(cards.locator(".who")).to_have_text(["Amélie Dubois", "Paul Smith", "Greta Schmidt"])
    expect(cards.nth(0).locator(".needs")).to_have_text("Needs: French 5+ Your skills")
    expect(cards.nth(0).locator(".badge.ok")).to_have_text("Your skills")
    expect(cards.nth(1).locator(".needs")).to_have_count(0)
    expect(cards.nth(2).locator(".needs")).to_have_text("Needs: German 3+")
    expect(queue.get_by_text("Your skills")).to_have_count(1)
    sort = bo.get_by_role("group", name="Sort")
    sort.get_by_label("Newest").focus()
    bo.keyboard.press("ArrowRight")  # due first: the order holds within each part
    expect(sort.get_by_label("Due first")).to_be_checked()
    expect(cards.locator(".who")).to_have_text(["Amélie Dubois", "Paul Smith", "Greta Schmidt"])
    check_page(bo, "workspace-skills-queue", artifacts)

    bo.get_by_role("button", name="Take Amélie Dubois").click()
    expect(bo.get_by_text("Held by Bo")).to_be_visible()
    history = bo.get_by_role("region", name="History")
    expect(history).to_contain_text('Overflow rule "Busy" applied')  # two waited ahead of her
    expect(bo.locator(".message.automated")).to_contain_text("you are number 3 in line")
    box = bo.get_by_label("Reply to Amélie Dubois")
    box.fill("Bonjour ! Je vous écoute.")
    box.press("Enter")
    expect(bo.locator(".message.outbound").filter(has_text="Je vous écoute")).to_be_visible()
    check_page(bo, "workspace-overflow-history", artifacts)
    bo.get_by_role("button", name="Close").click()
    expect(bo.get_by_text("This conversation is closed.")).to_be_visible()

    grace = new_page("Grace", ADMIN)
    grace.get_by_role("link", name="Supervise").click()
    board = grace.get_by_role("region", name=re.compile("^Sales"))
    sla = board.locator(".today-figures .tile").filter(has=grace.locator("dt", has_text="First response SLA"))
    expect(sla.locator("dd.figure")).to_have_text(re.compile(r"^100%"))
    expect(sla.locator("dd.meta")).to_have_text("1 of 1 in time")
    expect(board.locator(".today-figures dt").filter(has_text="Resolution SLA")).to_have_count(0)  # no target
    support = grace.get_by_role("region", name=re.compile("^Support"))
    expect(support.locator(".today-figures dt").filter(has_text="SLA")).to_have_count(0)  # no clock ended
    sla.scroll_into_view_if_needed()
    check_page(grace, "supervise-sla", artifacts)

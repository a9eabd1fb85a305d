"""Admin forms in the details a busy admin trips on: a queue picked in one workstream does
not follow the agent into another, a trailing Enter in a "one per line" box is no
parameter, each refusal is told to its own control, and each label names its rule."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import expect

from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN

ADMIN = "Switchboard.Admin"
_NUMBERS = itertools.count(6501)


def account(api, name: str = "Contoso") -> dict:
    """An SMS account with a number of its own (the module's tests share one host)."""
    return api.call("POST", "/admin/accounts", {
        "name": name, "provider": "twilio", "channel": "sms",
        "credentials": {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN},
        "numbers": [{"number": f"+1425230{next(_NUMBERS)}", "type": "long_code"}]}).json()


def workstream(api, name: str, **settings) -> dict:
    owner = account(api, name)
    created = api.call("POST", "/admin/workstreams", {"name": name, "account_id": owner["id"],
                                                      "number": owner["numbers"][0]["number"], **settings})
    assert created.status_code == 201, created.text
    return created.json()


def test_an_agents_queue_starts_over_when_its_workstream_changes(new_page, api):
    workstream(api, "Alpha", queues=["general", "billing"])
    beta = workstream(api, "Beta", queues=["sales"])
    page = new_page("Grace", ADMIN)
    page.get_by_role("link", name="Agents").click()
    page.get_by_role("link", name="Grace").click()
    page.get_by_role("button", name="Add queue").click()
    page.get_by_label("Queue 1 workstream").select_option(label="Alpha")
    page.get_by_label("Queue 1 name").select_option("billing")
    page.get_by_label("Queue 1 workstream").select_option(label="Beta")
    expect(page.get_by_label("Queue 1 name")).to_have_value("")  # Unqueued conversations, as it reads
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/agents/" in r.url) as saved:
        page.get_by_role("button", name="Save agent").click()  # what it reads is what is saved: not Alpha's billing
    assert saved.value.ok, saved.value.text()
    assert saved.value.json()["queues"] == [{"workstream_id": beta["id"], "queue": None}], saved.value.json()


def test_an_enter_after_the_last_template_parameter_adds_none(new_page, api):
    w = workstream(api, "Closing", templates=[{"name": "chat_closed", "language": "en_US", "text": "Thanks {{1}}"}])
    page = new_page("Grace", ADMIN)
    page.goto(f"/#/admin/workstreams/{w['id']}")
    page.get_by_label("Closing message: when the 24-hour window has closed, send template").select_option(
        "chat_closed|en_US")
    box = page.get_by_label("Closing message: template parameters, one per line")
    box.fill("{{customer_name}}")
    box.press("End")
    box.press("Enter")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/workstreams/" in r.url) as saved:
        page.get_by_role("button", name="Save workstream").click()
    assert saved.value.ok, saved.value.text()
    fallback = api.call("GET", f"/admin/workstreams/{w['id']}").json()["window_fallbacks"]["closing"]
    assert fallback["parameters"] == ["{{customer_name}}"]


def test_each_skills_refusal_is_told_to_its_own_delete_button(new_page, api):
    page = new_page("Grace", ADMIN)
    me = api.call("GET", "/me").json()["id"]
    for name in ("C++", "C#"):
        assert api.call("POST", "/admin/skills", {"name": name}).status_code == 201
    assert api.call("PATCH", f"/admin/agents/{me}", {"skills": [{"name": "C++", "proficiency": 3},
                                                               {"name": "C#", "proficiency": 3}]}).ok
    page.get_by_role("link", name="Skills").click()
    for name in ("C#", "C++"):
        delete = page.get_by_role("button", name=f"Delete {name}", exact=True)
        delete.click()
        expect(delete).to_have_attribute("aria-describedby", re.compile(r"-error$"))  # once the API refused it
    for name in ("C#", "C++"):
        delete = page.get_by_role("button", name=f"Delete {name}", exact=True)
        told = page.locator(f"[id='{delete.get_attribute('aria-describedby')}']")
        expect(told).to_have_count(1)
        expect(told).to_contain_text(f"skill {name} is in use")


def test_a_routing_conditions_label_names_its_rule(new_page, api):
    w = workstream(api, "Routed", queues=["general"], default_queue="general")
    page = new_page("Grace", ADMIN)
    page.goto(f"/#/admin/workstreams/{w['id']}")
    for k in (1, 2):
        page.get_by_role("button", name="Add rule").click()
        page.get_by_label(f"Rule {k} queue").select_option("general")
        page.get_by_label(f"Rule {k} name").fill(f"R{k}")
    page.get_by_label("Rule 1 condition 1 value", exact=True).fill("vip")
    page.get_by_role("button", name="Save workstream").click()  # rule 2's condition has no value
    expect(page.get_by_role("alert").get_by_role("listitem")).to_have_text(
        ["Rule 2 condition 1 value: must be a non-empty string of at most 200 characters"])
    expect(page.get_by_label("Rule 2 condition 1 value", exact=True)).to_be_focused()


def test_saving_the_workstream_page_leaves_a_retention_set_meanwhile(new_page, api):
    w = workstream(api, "Kept", retention_days=30)
    page = new_page("Grace", ADMIN)
    page.goto(f"/#/admin/workstreams/{w['id']}")
    language = page.get_by_label("Language")
    expect(language).to_be_visible()
    # Another admin (or tab) keeps its conversations for good meanwhile, on the Retention page.
    assert api.call("PATCH", f"/admin/workstreams/{w['id']}", {"retention_days": None}).status_code == 200
    language.fill("de-DE")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/workstreams/" in r.url) as saved:
        page.get_by_role("button", name="Save workstream").click()
    assert saved.value.ok, saved.value.text()
    stored = api.call("GET", f"/admin/workstreams/{w['id']}").json()
    assert (stored["language"], stored["retention_days"]) == ("de-DE", None)  # not 30 again: deletion undone stays undone


def test_hours_unticked_and_ticked_again_come_back_as_they_were(new_page, api):
    hours = {"time_zone": "America/Chicago", "weekly": [{"day": "monday", "open": "08:00", "close": "12:00"}],
             "closures": ["2026-12-25"]}
    waiting = {"after_seconds": 60, "text": "Hold on, you are number {{position}}."}
    w = workstream(api, "Hours", operating_hours=hours, waiting_message=waiting)
    page = new_page("Grace", ADMIN)
    page.goto(f"/#/admin/workstreams/{w['id']}")
    tell = page.get_by_label("Tell a customer still waiting their place in the queue")
    tell.uncheck()
    tell.check()
    expect(page.get_by_label("Waiting message text")).to_have_value(waiting["text"])
    set_hours = page.get_by_label("Set operating hours")
    set_hours.uncheck()
    expect(page.get_by_label("Time zone")).to_have_count(0)
    set_hours.check()  # a slip of the hand: the hours it had, not the browser's zone and office hours
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/workstreams/" in r.url) as saved:
        page.get_by_role("button", name="Save workstream").click()
    assert saved.value.ok, saved.value.text()
    stored = api.call("GET", f"/admin/workstreams/{w['id']}").json()
    assert (stored["operating_hours"], stored["waiting_message"]) == (hours, waiting)


def test_a_save_sends_what_the_page_changed_and_leaves_what_another_admin_changed_meanwhile(new_page, api):
    w = workstream(api, "Shared")
    page = new_page("Grace", ADMIN)
    page.goto(f"/#/admin/workstreams/{w['id']}")
    language = page.get_by_label("Language")
    expect(language).to_be_visible()
    assert api.call("PATCH", f"/admin/workstreams/{w['id']}", {"name": "Shared desk"}).status_code == 200  # another tab
    language.fill("fr-FR")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/workstreams/" in r.url) as saved:
        page.get_by_role("button", name="Save workstream").click()
    assert saved.value.ok, saved.value.text()
    assert saved.value.request.post_data_json == {"language": "fr-FR"}
    stored = api.call("GET", f"/admin/workstreams/{w['id']}").json()
    assert (stored["name"], stored["language"]) == ("Shared desk", "fr-FR")
    page.get_by_label("Set operating hours").check()  # the API checks the stored service levels against them
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/workstreams/" in r.url) as saved:
        page.get_by_role("button", name="Save workstream").click()
    assert saved.value.ok, saved.value.text()
    assert sorted(saved.value.request.post_data_json) == ["operating_hours"]

    page.get_by_role("link", name="Agents").click()
    page.get_by_role("link", name="Grace").click()
    page.get_by_label("Name", exact=True).fill("Grace H")
    grace = api.call("GET", "/admin/agents").json()["agents"]
    [me] = [a for a in grace if a["name"] == "Grace"]
    assert api.call("PATCH", f"/admin/agents/{me['id']}", {"supervises": [w["id"]]}).status_code == 200
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/admin/agents/" in r.url) as saved:
        page.get_by_role("button", name="Save agent").click()
    assert saved.value.ok, saved.value.text()
    assert api.call("GET", f"/admin/agents/{me['id']}").json()["supervises"] == [w["id"]]

"""Signing in and out through the local host's Easy Auth emulation, and what the masthead
shows of the signed-in person."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from localhost.easyauth import object_id_of

from tests.browser.support import check_page


def test_a_visitor_is_sent_to_sign_in_and_comes_back_signed_in(new_page, artifacts):
    page = new_page("Grace Admin", "Switchboard.Admin", "Switchboard.Agent")
    expect(page.locator(".who .roles")).to_have_text("Admin, Agent")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts")).to_be_visible()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    check_page(page, "workspace-empty", artifacts)
    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url(re.compile(r"/\.auth/login/aad"))  # signed out, so the app asks for a sign-in again
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_an_agent_who_signs_out_goes_offline_first(new_page, api):
    """Offered nothing more: an offer made to a screen nobody sees would lapse there."""
    page = new_page("Olga Agent", "Switchboard.Agent")
    with page.expect_response(lambda r: r.url.endswith("/api/me/presence") and r.request.method == "PUT"):
        page.get_by_label("Presence").select_option("available")
    assert api.call("GET", f"/admin/agents/{object_id_of('Olga Agent')}").json()["presence"] == "available"
    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url(re.compile(r"/\.auth/login/aad"))
    assert api.call("GET", f"/admin/agents/{object_id_of('Olga Agent')}").json()["presence"] == "offline"


def test_an_agent_sees_no_admin_pages(new_page):
    page = new_page("Ada Agent", "Switchboard.Agent")
    expect(page.locator(".who .roles")).to_have_text("Agent")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    expect(nav.get_by_role("link", name="Accounts")).to_have_count(0)
    page.goto("/#/admin/accounts")
    expect(page.get_by_text("The admin pages need the Switchboard.Admin role.")).to_be_visible()


def test_the_page_and_its_assets_carry_a_strict_policy(anonymous_page, api):
    page = anonymous_page
    answer = page.request.get(api.host.base_url + "/")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert answer.headers["x-content-type-options"] == "nosniff"

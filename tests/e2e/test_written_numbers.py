"""Numbers as people write them, over HTTP: an account's numbers and a contact's phone typed
in national ("(312) 546-7890", with the host's default PHONE_REGION, US) or international
forms ("0044 20 7183 8750") are stored as E.164, a contact is found by its number in another
form, and a number no country has is refused naming its field."""

from __future__ import annotations

from tests.support.twilio import account_body


def test_an_account_created_with_written_numbers_stores_them_as_e164(api):
    typed = ["(312) 546-7890", "0044 20 7183 8750", "+1 425.230.6551"]
    created = api.call("POST", "/admin/accounts", account_body(
        name="Written", numbers=[{"number": n, "type": "long_code"} for n in typed]))
    assert created.status_code == 201, created.text
    stored = api.call("GET", f"/admin/accounts/{created.json()['id']}").json()
    assert [n["number"] for n in stored["numbers"]] == ["+13125467890", "+442071838750", "+14252306551"]

    again = api.call("POST", "/admin/accounts", account_body(name="Copy", numbers=[
        {"number": "312-546-7890", "type": "long_code"}]))  # the same number, written otherwise
    assert again.status_code == 409, again.text

    bad = api.call("POST", "/admin/accounts", account_body(name="Bad", numbers=[
        {"number": "+1 425 230 6552", "type": "long_code"}, {"number": "(312) 546-789", "type": "long_code"}]))
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "numbers[1].number"
    assert "(201) 555-0123" in bad.json()["error"]["message"]  # a national example of the region


def test_a_contact_is_stored_and_found_whatever_form_its_number_is_written_in(api):
    created = api.call("POST", "/admin/contacts", {"mobile_phone": "(206) 555-0160", "name": "Grace"})
    assert created.status_code == 201, created.text
    assert created.json()["mobile_phone"] == "+12065550160"
    for written in ("206.555.0160", "+1 206 555 0160", " 12065550160"):  # the last: an unencoded "+"
        found = api.call("GET", "/admin/contacts", params={"mobile_phone": written}).json()["contacts"]
        assert [c["id"] for c in found] == [created.json()["id"]], written

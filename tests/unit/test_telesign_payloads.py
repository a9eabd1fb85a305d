"""TeleSign callbacks: the signature check and the payloads, from real-shaped fixtures."""

from __future__ import annotations

import base64
import json

import pytest

from channels.telesign import (
    TeleSignDeliveryReport, TeleSignInbound, parse_callback, signature_is_valid, status_of, thread_reference,
)
from core.errors import BadRequest
from tests.support.telesign import API_KEY, BUSINESS_E164, CUSTOMER, CUSTOMER_ID, fixture_json, signed
from tests.support.records import account

SMS_ACCOUNT = account("telesign", "sms", "acc")


def test_a_callback_signed_as_telesign_signs_passes():
    raw, headers = signed(fixture_json("telesign_mo_sms.json"))
    assert signature_is_valid(raw, headers["Authorization"], CUSTOMER_ID, API_KEY)
    assert signature_is_valid(raw, headers["Authorization"], CUSTOMER_ID.lower(), API_KEY)


@pytest.mark.parametrize("case", ["missing", "empty", "other key", "other customer", "tampered", "scheme",
                                  "no signature"])
def test_anything_else_fails(case):
    payload = fixture_json("telesign_mo_sms.json")
    raw, headers = signed(payload)
    header = headers["Authorization"]
    other_key = base64.b64encode(b"k" * 64).decode()
    if case == "missing":
        header = None
    elif case == "empty":
        header = ""
    elif case == "other key":
        header = signed(payload, api_key=other_key)[1]["Authorization"]
    elif case == "other customer":
        header = signed(payload, customer_id="00000000-0000-0000-0000-000000000000")[1]["Authorization"]
    elif case == "tampered":
        raw = raw.replace(b"Hello", b"Hellp")
    elif case == "scheme":
        header = header.replace("TSA ", "Basic ")
    elif case == "no signature":
        header = f"TSA {CUSTOMER_ID}:"
    assert not signature_is_valid(raw, header, CUSTOMER_ID, API_KEY)


def test_an_mo_callback_becomes_an_inbound_message():
    callback = parse_callback(json.dumps(fixture_json("telesign_mo_sms.json")).encode())
    assert isinstance(callback, TeleSignInbound)
    inbound = callback.to_inbound(SMS_ACCOUNT)
    assert (inbound.provider, inbound.provider_message_id) == ("telesign", "35E63E88CB000E049196AD1CFCFFB89C")
    assert (inbound.business, inbound.customer, inbound.body) == (BUSINESS_E164, CUSTOMER, "Hello, is anyone there?")
    assert inbound.keyword is None  # action "generic"


@pytest.mark.parametrize("action,keyword", [("stop", "stop"), ("start", "start"), ("help", "help"),
                                            ("STOP", "stop"), ("generic", None)])
def test_telesigns_keyword_action_is_passed_on(action, keyword):
    payload = fixture_json("telesign_mo_sms.json", action=action, keyword=action.lower(), mo_message="arret")
    assert parse_callback(json.dumps(payload).encode()).to_inbound(SMS_ACCOUNT).keyword == keyword


def test_a_delivery_report_finds_its_thread_through_external_id():
    report = parse_callback(json.dumps(fixture_json("telesign_delivery_report.json")).encode())
    assert isinstance(report, TeleSignDeliveryReport)
    update = report.to_status(SMS_ACCOUNT)
    assert (update.provider_message_id, update.status, update.error_code) == \
        ("B56259E45884010488343BAA15FB0002", "delivered", None)
    assert (update.business, update.customer) == (BUSINESS_E164, CUSTOMER)
    assert thread_reference(BUSINESS_E164, CUSTOMER) == report.external_id


def test_a_delivery_report_names_our_message_when_the_send_carried_its_id():
    payload = fixture_json("telesign_delivery_report.json")
    ours = "0123456789abcdef" * 2
    update = TeleSignDeliveryReport.from_json(
        {**payload, "external_id": thread_reference(BUSINESS_E164, CUSTOMER, ours)}).to_status(SMS_ACCOUNT)
    assert (update.business, update.customer, update.message_id) == (BUSINESS_E164, CUSTOMER, ours)
    forged = {**payload, "external_id": f"{BUSINESS_E164}|{CUSTOMER}|not-one-of-ours"}
    assert TeleSignDeliveryReport.from_json(forged).to_status(SMS_ACCOUNT).message_id is None


def test_a_failed_report_carries_telesigns_code_and_text():
    payload = fixture_json("telesign_delivery_report.json")
    payload["status"] = {"code": 210, "description": "Temporary phone error", "updated_on": "2026-11-23T09:06:00Z"}
    update = parse_callback(json.dumps(payload).encode()).to_status(SMS_ACCOUNT)
    assert (update.status, update.error_code, update.error_message) == ("undelivered", "210", "Temporary phone error")


def test_reports_that_cannot_be_placed_or_say_nothing_are_dropped():
    payload = fixture_json("telesign_delivery_report.json")
    assert TeleSignDeliveryReport.from_json({**payload, "external_id": None}).to_status(SMS_ACCOUNT) is None
    assert TeleSignDeliveryReport.from_json({**payload, "external_id": "CustomExternalID7349"}).to_status(SMS_ACCOUNT) is None
    delayed = {**payload, "status": {"code": 295, "description": "Status delayed"}}
    assert TeleSignDeliveryReport.from_json(delayed).to_status(SMS_ACCOUNT) is None


@pytest.mark.parametrize("code,status", [
    (200, "delivered"), (203, "sent"), (251, "sent"), (290, "queued"), (292, "sent"), (295, None), (207, "undelivered"),
    (210, "undelivered"), (221, "undelivered"), (237, "undelivered"), (286, "undelivered"), (502, "failed"),
    (510, "failed"), (599, None), (10032, "failed"), (1500, None),
])
def test_status_codes(code, status):
    assert status_of(code) == status


def test_other_notifications_are_none_and_garbage_is_a_bad_request():
    assert parse_callback(b'{"reference_id": "X", "name": "WAMarketingTemplate1"}') is None
    for raw in (b"not json", b"[]", b'{"user_response": "x"}', b'{"user_response": {"phone_number": "1"}}',
                b'{"status": {"code": "200"}, "reference_id": "R"}'):
        with pytest.raises(BadRequest):
            parse_callback(raw)

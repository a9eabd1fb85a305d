"""The rules of customers' data that need no storage: which field names the audit trail
keeps, whose address a request came from, whom an erasure is about, and the keyed hash."""

from __future__ import annotations

import azure.functions as func
import pytest
from cryptography.fernet import Fernet

from conversations.admin.numbers import PhoneReader
from conversations.customer_data.audit import field_names
from conversations.customer_data.subjects import parse_subject
from core.errors import ValidationFailed
from functions.audited import client_ip
from storage.sealing import Hasher


def request(forwarded: str | None) -> func.HttpRequest:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return func.HttpRequest("GET", "http://localhost/api/admin/audit", headers=headers, body=b"")


def test_field_names_name_credentials_by_key_and_never_carry_a_value():
    body = {"name": "Contoso", "credentials": {"auth_token": "s3cret", "account_sid": "AC1"}, "numbers": [{"n": 1}]}
    assert field_names(body) == ("credentials.account_sid", "credentials.auth_token", "name", "numbers")
    assert field_names(["not", "an", "object"]) == ()


@pytest.mark.parametrize("forwarded, address", [
    ("203.0.113.5:50123", "203.0.113.5"),
    ("198.51.100.7, 203.0.113.5:443", "203.0.113.5"),  # the client's own entry is not its address
    ("[2001:db8::1]:8080", "2001:db8::1"),
    ("2001:db8::1", "2001:db8::1"),
    (None, ""),
])
def test_the_client_address_is_the_last_hop_without_its_port(forwarded, address):
    assert client_ip(request(forwarded)) == address


def test_a_subject_is_a_number_or_a_user_id_in_one_account_or_all():
    phones = PhoneReader("US")
    assert parse_subject({"address": "14255550123"}, phones).address == "+14255550123"
    assert parse_subject({"address": "(425) 555-0123"}, phones).address == "+14255550123"
    # A number a provider sent in E.164 is taken as it is, as ingest took it, even one the
    # numbering plan says is not in use (yet): its customer can be exported and erased.
    assert parse_subject({"address": "+15550001234"}, phones).address == "+15550001234"
    assert parse_subject({"address": "+4402012345678"}, phones).address == "+442012345678"  # read as written
    assert parse_subject({"address": "US.13491208655302741918", "account_id": "a" * 32}, phones).account_id == "a" * 32
    for written in ("whatsapp:+14255550123", "tel:+14255550123", "SMS: (425) 555-0123"):  # as providers write it
        assert parse_subject({"address": written}, phones).address == "+14255550123"
    for bad in ({"address": "not a number!"}, {"address": ""}, {"address": "+1425", "account_id": "x"}):
        with pytest.raises(ValidationFailed):
            parse_subject(bad, phones)


def test_the_keyed_hash_matches_under_every_sealing_key_and_hashes_with_the_first():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = Hasher([old]).digest("thread")
    rotated = Hasher([new, old])
    assert before in rotated.digests("thread") and rotated.digest("thread") != before
    assert before != Hasher([new]).digest("thread") and "thread" not in before

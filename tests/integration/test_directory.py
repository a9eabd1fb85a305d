"""Unique claims on real storage: a claim whose owner's row is not there yet is not taken
over while it is young (another instance may be writing that row), only once it is old."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict
from storage.directory import Directory


def test_young_orphan_claims_are_respected_and_old_ones_taken_over(make_services):
    storage = make_services().stores.storage
    young, old = Directory(storage), Directory(storage, grace=timedelta(0))
    young.claim("account-number", "+14252306549", "a", lambda _owner: False, "number")
    with pytest.raises(Conflict, match="being claimed concurrently"):
        young.claim("account-number", "+14252306549", "b", lambda _owner: False, "number")
    old.claim("account-number", "+14252306549", "b", lambda _owner: False, "number")
    assert young.owner("account-number", "+14252306549") == "b"


def test_a_live_owner_keeps_its_claim(make_services):
    directory = Directory(make_services().stores.storage, grace=timedelta(0))
    directory.claim("contact-phone", "+14252306549", "a", lambda _owner: True, "mobile_phone")
    with pytest.raises(Conflict, match="already belongs to a"):
        directory.claim("contact-phone", "+14252306549", "b", lambda _owner: True, "mobile_phone")


def test_values_that_keys_cannot_hold_are_escaped(make_services):
    directory = Directory(make_services().stores.storage)
    directory.claim("contact-phone", "+1/2#3?4\\5", "a", lambda _owner: False, "mobile_phone")
    assert directory.owner("contact-phone", "+1/2#3?4\\5") == "a"
    directory.release("contact-phone", "+1/2#3?4\\5", "a")
    assert directory.owner("contact-phone", "+1/2#3?4\\5") is None

"""Function keys: which requests may call which auth levels."""

from __future__ import annotations

import azure.functions as func
import pytest

from localhost.auth import DEFAULT_LOCAL_KEY, is_authorized, local_key

KEY = "k3y"


def test_anonymous_needs_no_key() -> None:
    assert is_authorized("anonymous", {}, {}, KEY)


@pytest.mark.parametrize("level", ["function", "admin", "FUNCTION"])
def test_key_levels_need_the_key(level: str) -> None:
    assert not is_authorized(level, {}, {}, KEY)
    assert not is_authorized(level, {}, {"code": "wrong"}, KEY)
    assert not is_authorized(level, {"x-functions-key": ""}, {}, KEY)
    assert is_authorized(level, {}, {"code": KEY}, KEY)


def test_header_name_is_case_insensitive_through_request_headers() -> None:
    request = func.HttpRequest("GET", "http://x/", headers={"X-Functions-Key": KEY}, body=b"")
    assert is_authorized("function", request.headers, {}, KEY)


def test_header_wins_over_query() -> None:
    assert is_authorized("function", {"x-functions-key": KEY}, {"code": "wrong"}, KEY)


def test_non_ascii_key_does_not_crash() -> None:
    assert not is_authorized("function", {"x-functions-key": "clé"}, {}, KEY)


def test_local_key_default_and_override() -> None:
    assert local_key({}) == DEFAULT_LOCAL_KEY
    assert local_key({"SWITCHBOARD_LOCAL_KEY": ""}) == DEFAULT_LOCAL_KEY
    assert local_key({"SWITCHBOARD_LOCAL_KEY": "mine"}) == "mine"

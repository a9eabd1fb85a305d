"""Raw HTTP <-> azure.functions objects, following the host and worker's rules."""

from __future__ import annotations

import json

import azure.functions as func
import pytest

from localhost.conversion import build_request, error_response, from_function_result


def test_request_carries_everything_the_function_reads() -> None:
    request = build_request(
        "post",
        "http://localhost:7071/api/items/5?x=1",
        [("Content-Type", "application/json"), ("X-Trace", "a"), ("x-trace", "b")],
        "x=1&x=2&empty=&code=k",
        {"id": "5"},
        b'{"a": 1}',
    )
    assert request.method == "POST"
    assert request.url == "http://localhost:7071/api/items/5?x=1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["X-TRACE"] == "a, b"
    assert dict(request.params) == {"x": "1,2", "empty": "", "code": "k"}
    assert dict(request.route_params) == {"id": "5"}
    assert request.get_json() == {"a": 1}


def test_request_form_parsing_works_on_the_built_request() -> None:
    request = build_request(
        "POST", "http://h/api/f", [("Content-Type", "application/x-www-form-urlencoded")], "", {}, b"a=1&b=two"
    )
    assert request.form["b"] == "two"


def test_text_response_gets_charset() -> None:
    raw = from_function_result(func.HttpResponse("héllo", status_code=201))
    assert raw.status == 201
    assert ("Content-Type", "text/plain; charset=utf-8") in raw.headers
    assert raw.body == "héllo".encode()


def test_non_text_mimetype_has_no_charset() -> None:
    raw = from_function_result(func.HttpResponse(b"{}", mimetype="application/json"))
    assert ("Content-Type", "application/json") in raw.headers


def test_explicit_content_type_header_wins_over_mimetype() -> None:
    raw = from_function_result(
        func.HttpResponse("x", mimetype="text/html", headers={"content-type": "application/problem+json"})
    )
    content_types = [v for k, v in raw.headers if k.lower() == "content-type"]
    assert content_types == ["application/problem+json"]


def test_repeated_headers_survive_and_framing_headers_are_dropped() -> None:
    response = func.HttpResponse("x", headers={"Content-Length": "999", "Connection": "close"})
    response.headers.add("Set-Cookie", "a=1")
    response.headers.add("Set-Cookie", "b=2")
    raw = from_function_result(response)
    names = [k.lower() for k, _ in raw.headers]
    assert names.count("set-cookie") == 2
    assert "content-length" not in names and "connection" not in names


def test_string_result_is_a_200_text_response() -> None:
    raw = from_function_result("ok")
    assert (raw.status, raw.body) == (200, b"ok")


def test_none_result_is_204() -> None:
    raw = from_function_result(None)
    assert (raw.status, raw.body) == (204, b"")


def test_other_results_are_a_bug_in_the_function() -> None:
    with pytest.raises(TypeError, match="dict"):
        from_function_result({"not": "a response"})


def test_error_response_shape() -> None:
    raw = error_response(405, "method_not_allowed", "nope", [("Allow", "GET")])
    assert raw.status == 405
    assert ("Allow", "GET") in raw.headers
    assert json.loads(raw.body) == {"error": {"code": "method_not_allowed", "message": "nope"}}

"""Translate between raw HTTP and `azure.functions` request/response objects.

The rules follow what the Functions host and the Python worker do: repeated
query parameters and headers are joined with commas (the host flattens .NET
`StringValues` that way), `url` is the full URL the client used, and a
response's Content-Type comes from its headers if set, else from `mimetype`
(+ `charset` for text types), as `azure.functions.http.HttpResponseConverter`
encodes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

import azure.functions as func

# Headers the server computes itself; a function's values would be wrong or harmful.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


@dataclass
class RawResponse:
    """What goes on the wire: status, header pairs (repeatable), body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def build_request(
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    query: str,
    route_params: dict[str, str],
    body: bytes,
) -> func.HttpRequest:
    """An `HttpRequest` as the worker would hand it to the function."""
    joined_headers: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        joined_headers[key] = f"{joined_headers[key]}, {value}" if key in joined_headers else value
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        params[name] = f"{params[name]},{value}" if name in params else value
    return func.HttpRequest(
        method=method.upper(),
        url=url,
        headers=joined_headers,
        params=params,
        route_params=route_params,
        body=body,
    )


def from_function_result(result: object) -> RawResponse:
    """Turn what an HTTP function returned into a response.

    `HttpResponse` and `str` are what the worker accepts for an HTTP output;
    `None` (no response set) becomes 204 No Content. Anything else is a bug in
    the function and raises `TypeError`, which the server reports as a 500.
    """
    if result is None:
        return RawResponse(204, [], b"")
    if isinstance(result, str):
        return RawResponse(200, [("Content-Type", "text/plain; charset=utf-8")], result.encode())
    if not isinstance(result, func.HttpResponse):
        raise TypeError(f"an HTTP function must return HttpResponse or str, not {type(result).__name__}")
    pairs = [(k, v) for k, v in result.headers.items() if k.lower() not in _FRAMING_HEADERS]
    if not any(k.lower() == "content-type" for k, _ in pairs):
        mimetype = result.mimetype
        content_type = f"{mimetype}; charset={result.charset}" if mimetype.startswith("text/") else mimetype
        pairs.append(("Content-Type", content_type))
    return RawResponse(int(result.status_code), pairs, result.get_body())


def error_response(status: int, code: str, message: str, headers: Iterable[tuple[str, str]] = ()) -> RawResponse:
    """The host's own JSON error body: `{"error": {"code": ..., "message": ...}}`."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return RawResponse(status, [("Content-Type", "application/json; charset=utf-8"), *headers], body)


def json_response(status: int, payload: object) -> RawResponse:
    """A JSON body for the host's own endpoints."""
    return RawResponse(status, [("Content-Type", "application/json; charset=utf-8")], json.dumps(payload).encode())

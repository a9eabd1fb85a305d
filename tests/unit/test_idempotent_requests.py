"""What makes two requests under one Idempotency-Key the same (functions/idempotent.py):
the body's JSON value, however written; a body that is not JSON, its bytes; never one
for the other."""

from __future__ import annotations

import azure.functions as func

from functions.idempotent import _fingerprints

URL = "http://localhost/api/conversations/c1/messages"


def fingerprints(body: bytes, url: str = URL, method: str = "POST") -> tuple[str, tuple[str, ...]]:
    return _fingerprints(func.HttpRequest(method, url, body=body))


def test_one_json_value_however_written_is_one_request():
    written = [b'{"body": "Caf\\u00e9", "agent": "ana"}', '{"agent":"ana","body":"Café"}'.encode(),
               b'\xef\xbb\xbf{ "body" : "Caf\xc3\xa9" ,\n"agent":"ana"}']
    assert len({fingerprints(body)[0] for body in written}) == 1
    assert len({fingerprints(body)[1] for body in written}) == 3  # each also as its bytes, as keys claimed before hold


def test_another_value_path_or_method_is_another_request():
    first = fingerprints(b'{"body": "hi"}')[0]
    assert fingerprints(b'{"body": "hi "}')[0] != first
    assert fingerprints(b'{"body": "hi"}', url=URL.replace("c1", "c2"))[0] != first
    assert fingerprints(b'{"body": "hi"}', method="PUT")[0] != first
    assert fingerprints(b'{"body": 1}')[0] != fingerprints(b'{"body": "1"}')[0]


def test_a_body_that_is_not_json_never_passes_for_one_that_is():
    value = fingerprints(b'{"body":"hi"}')[0]
    for raw in (b'json\n{"body":"hi"}', b'by-value\x00POST\x00/api/conversations/c1/messages\x00{"body":"hi"}',
                b'{"body": "hi"', b"\xff\xfe"):
        found, written = fingerprints(raw)
        assert found != value and written == ()

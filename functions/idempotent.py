"""The Idempotency-Key header on the calls that send (conversations/messaging/idempotency.py): the
request runs once per key and caller, and its answer is kept and given again."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Callable
from urllib.parse import urlsplit

import azure.functions as func

from conversations.messaging.idempotency import check_key
from core.idempotency import Answer
from functions.http import API_HEADERS, error_answer, services
from functions.identity import signed_in

HEADER = "Idempotency-Key"
KeyedHandler = Callable[[func.HttpRequest, "str | None"], func.HttpResponse]


def idempotent(handler: KeyedHandler) -> Callable[[func.HttpRequest], func.HttpResponse]:
    """``handler(req, key)`` runs once per Idempotency-Key (key None without the header);
    a replay carries ``Idempotent-Replayed: true``. Goes inside ``handled``."""

    def wrapper(req: func.HttpRequest) -> func.HttpResponse:
        key = req.headers.get(HEADER)
        if key is None:
            return handler(req, None)
        key = check_key(key)
        owner = signed_in(req).id
        fingerprint, written = _fingerprints(req)

        def call() -> Answer:
            try:
                response = handler(req, key)
            except Exception as exc:  # noqa: BLE001 - answered (and kept, for most 4xx) like any other answer
                response = error_answer(req, exc)
            body = response.get_body()
            return Answer(response.status_code, json.loads(body) if body else None)

        answer, replayed = services().messaging.idempotency.run(owner, key, fingerprint, call, also=written)
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return func.HttpResponse(json.dumps(answer.body) if answer.body is not None else b"",
                                 status_code=answer.status, mimetype="application/json", charset="utf-8",
                                 headers={**API_HEADERS, **headers})

    # Its name and documentation, not its signature: the Functions host binds a function's
    # parameters by name, and this one takes the request only.
    functools.update_wrapper(wrapper, handler, updated=())
    del wrapper.__wrapped__
    return wrapper


def _fingerprints(req: func.HttpRequest) -> tuple[str, tuple[str, ...]]:
    """What makes two requests the same: the method, the path and the body's JSON value,
    however it is written (key order, spacing, escapes), as a client that serialises it
    again on a retry writes it; and the fingerprint of its bytes as written, which keys
    claimed before bodies were compared by value hold."""
    method, path, body = req.method.encode(), urlsplit(req.url).path.encode(), req.get_body() or b""
    written = hashlib.sha256(b"\n".join([method, path, body])).hexdigest()
    try:
        value = json.dumps(json.loads(body.decode("utf-8-sig")), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or too deep to read (the handler refuses it): its bytes
        return written, ()
    # Its first part no method can be: no body as written hashes the same.
    canonical = hashlib.sha256(b"\0".join([b"by-value", method, path, value.encode("utf-8", "surrogatepass")]))
    return canonical.hexdigest(), (written,)

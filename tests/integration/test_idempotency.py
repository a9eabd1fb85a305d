"""Idempotency keys on real storage: a key claimed under another fingerprint of the same
request (the bytes as written, as keys claimed before bodies were compared by value hold
it) answers again, and one of another request is refused."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from core.idempotency import Answer

OWNER = "0b5e8f5e-0000-4000-8000-000000000001"


def test_a_key_claimed_under_the_bytes_as_written_answers_the_same_request_again(make_services):
    idempotency = make_services().messaging.idempotency
    calls: list[str] = []

    def send(name: str):
        return lambda: calls.append(name) or Answer(201, {"id": name})

    first, replayed = idempotency.run(OWNER, "retried", "as-written", send("first"))
    assert (first, replayed) == (Answer(201, {"id": "first"}), False)
    again, replayed = idempotency.run(OWNER, "retried", "by-value", send("again"), also=("as-written",))
    assert (again, replayed) == (first, True) and calls == ["first"]
    with pytest.raises(ValidationFailed) as refused:
        idempotency.run(OWNER, "retried", "another-request", send("other"), also=("other-bytes",))
    assert refused.value.field == "Idempotency-Key" and calls == ["first"]

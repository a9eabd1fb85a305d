"""Idempotency-Key on the calls that send: the same key with the same request answers the
first answer again, for KEEP (24 hours), without doing anything; with another request it
is refused (422); a request still running under it is waited for a little (so five
copies sent at once get one answer), then answered 409.

The key is claimed in the ``idempotency`` table before the request runs, with a lease:
a request whose instance died lets its key go once the lease is over. The answer is kept
for 2xx and 4xx but a refusal of the request's input (400, 422); that, a 5xx or a failure
gives the key back, so a retry (corrected) may succeed. Beneath
this, a message sent under a key has an id made of the key, and its thread stores that
id once (conversations/messaging/outbox.py), so even a key let go too early sends nothing twice.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Callable

from core.clock import Clock
from core.errors import Conflict, ValidationFailed
from core.idempotency import Answer, Claim, Found
from core.ports import Deadlines, IdempotencyKeys
from core.retry import ConcurrencyConflict

log = logging.getLogger(__name__)

KEEP = timedelta(hours=24)
LEASE = timedelta(minutes=5)  # the default: far longer than a send takes; a dead request's key is free after it
WAIT = 10.0  # seconds a copy waits for the request running under its key
POLL = 0.2
MAX_KEY = 255
FORGET = "forget"  # timers rows: forget|<key partition>, due when the answer has been kept long enough
# A request its input refused (400, 422) began nothing: its key stays free for the request
# corrected, as Stripe keeps no result for a request that failed validation.
UNCHECKED = (400, 422)


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY or not key.isascii() or not key.isprintable():
        raise ValidationFailed("Idempotency-Key", f"must be 1 to {MAX_KEY} printable ASCII characters, e.g. a UUID")
    return key


class Idempotency:
    def __init__(self, keys: IdempotencyKeys, timers: Deadlines, clock: Clock,
                 sleep: Callable[[float], None] = time.sleep, wait: float = WAIT, lease: timedelta = LEASE) -> None:
        self._lease = lease
        self._keys = keys
        self._timers = timers
        self._clock = clock
        self._sleep = sleep
        self._wait = wait

    def run(self, owner: str, key: str, fingerprint: str, call: Callable[[], Answer],
            also: tuple[str, ...] = ()) -> tuple[Answer, bool]:
        """The answer to the request under ``key``, and whether it is a replay (``also``:
        other fingerprints of the same request, as a key claimed earlier may hold it)."""
        waited = 0.0
        while True:
            claim = self._claim(owner, key, (fingerprint, *also))
            if isinstance(claim, Claim):
                return self._first(claim, fingerprint, call), False
            if claim.answer is not None:
                return claim.answer, True
            if waited >= self._wait:
                raise Conflict("a request with this Idempotency-Key is still running; try again shortly",
                               code="idempotency_request_in_flight")
            self._sleep(POLL)
            waited += POLL

    def _claim(self, owner: str, key: str, fingerprints: tuple[str, ...]) -> Claim | Found:
        for _ in range(5):
            now = self._clock()
            found = self._keys.claim(owner, key, fingerprints[0], now + self._lease)
            if isinstance(found, Claim):
                return found
            if found.fingerprint not in fingerprints:
                raise ValidationFailed("Idempotency-Key", "was used for another request; each request needs a key "
                                                          "of its own")
            if found.answer is None and found.lease_until is not None and found.lease_until < now:
                try:
                    return self._keys.take_over(owner, key, found, now + self._lease)
                except ConcurrencyConflict:
                    continue
            return found
        raise Conflict("the Idempotency-Key is being claimed concurrently; try again", code="idempotency_request_in_flight")

    def _first(self, claim: Claim, fingerprint: str, call: Callable[[], Answer]) -> Answer:
        try:
            answer = call()
        except BaseException:
            self._keys.release(claim)
            raise
        if answer.status >= 500 or answer.status in UNCHECKED:
            self._keys.release(claim)
            return answer
        self._keys.finish(claim, fingerprint, answer)
        self._timers.schedule(f"{FORGET}|{claim.partition}", self._clock() + KEEP)
        return answer

    def forget(self, job_key: str) -> None:
        """A kept answer's time is over (a due timers row)."""
        self._keys.forget(job_key.split("|", 1)[1])

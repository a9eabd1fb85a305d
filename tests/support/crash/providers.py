"""Stand-ins for the providers' APIs in the crash suite, each telling how many times it
executed a send of each of our messages (by the message id it carries: Twilio's status
callback URL, TeleSign's external_id, ACS SMS's tag, ACS WhatsApp's repeatability id).

Twilio's, like Twilio, posts a signed "sent" status callback 0.3 s after taking a message,
once, to the URL the send named: lost when the host it names is down."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from twilio.request_validator import RequestValidator

from conversations.messaging.tries import attempt_id
from core.records import Attempt
from tests.support import telesign as ts
from tests.support import twilio as tw
from tests.support.acs import RepeatableAcs
from tests.support.recorder import Recorded, Recorder

CALLBACK_DELAY = 0.3


class Twilio:
    def __init__(self, recorder: Recorder) -> None:
        self._sids = itertools.count(1)
        self._lock = threading.Lock()
        self.taken: list[dict[str, str]] = []  # the form of each message taken
        self.callbacks = {"posted": 0, "lost": 0}
        recorder.on("POST", tw.MESSAGES_PATH, self._create)
        tw.serve_sent_list(recorder)

    def _create(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        form = {k: v[0] for k, v in request.form.items()}
        with self._lock:
            sid = f"SM{next(self._sids):032x}"
            self.taken.append({**form, "Sid": sid})
        if form.get("StatusCallback"):
            threading.Timer(CALLBACK_DELAY, self._report, (form, sid)).start()
        return tw.message_created(sid)

    def _report(self, form: dict[str, str], sid: str) -> None:
        url = form["StatusCallback"]
        report = {"AccountSid": tw.ACCOUNT_SID, "MessageSid": sid, "SmsSid": sid, "MessageStatus": "sent",
                  "SmsStatus": "sent", "From": form["From"], "To": form["To"], "ApiVersion": "2010-04-01"}
        signature = RequestValidator(tw.AUTH_TOKEN).compute_signature(url, report)
        try:
            requests.post(url, data=urlencode(report), timeout=10, headers={
                "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
            self.callbacks["posted"] += 1
        except requests.RequestException:
            self.callbacks["lost"] += 1  # Twilio does not retry a status callback

    def executions(self, sids: Mapping[str, str]) -> Counter[str]:
        """By our message id: the one its status callback URL names, else the one recorded
        under its Twilio id (``sids``); a send neither names counts as ``unattributed <sid>``."""
        found: Counter[str] = Counter()
        for form in self.taken:
            named = parse_qs(urlsplit(form["StatusCallback"]).query)["m"][0] if form.get("StatusCallback") else None
            found[named or sids.get(form["Sid"]) or f"unattributed {form['Sid']} to {form.get('To')} "
                                                       f"({form.get('Body', '')[:40]!r})"] += 1
        return found


class TeleSign:
    """Like TeleSign, it posts a delivery report of each message it took to the callback
    URL of the customer ID (``callback``), signed, and posts it again until it is answered
    200 (for a minute)."""

    def __init__(self, recorder: Recorder) -> None:
        self._refs = itertools.count(1)
        self._lock = threading.Lock()
        self.taken: list[dict[str, str]] = []
        self.callback: str | None = None
        recorder.on("POST", "/v1/messaging", self._message)

    def _message(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        form = {k: v[0] for k, v in request.form.items()}
        with self._lock:
            reference = f"{next(self._refs):032X}"
            self.taken.append(form)
        if self.callback:
            threading.Thread(target=self._report, args=(self.callback, reference, form), daemon=True).start()
        return ts.message_accepted(reference)

    @staticmethod
    def _report(url: str, reference: str, form: dict[str, str]) -> None:
        now = datetime.now(timezone.utc).isoformat()
        raw, headers = ts.signed({"reference_id": reference, "external_id": form.get("external_id"),
                                  "status": {"code": 200, "description": "Delivered to handset", "updated_on": now},
                                  "submit_timestamp": now})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(CALLBACK_DELAY)
            try:
                if requests.post(url, data=raw, headers=headers, timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass

    def executions(self) -> Counter[str]:
        return Counter(f["external_id"].rsplit("|", 1)[1] for f in self.taken if f["external_id"].count("|") == 2)


class Acs(RepeatableAcs):
    def executions(self, message_ids: Iterable[str], tries: int) -> Counter[str]:
        """SMS sends carry our id as their tag; a WhatsApp send is known by its
        repeatability id, made of our id and its chain's first try (at most ``tries``)."""
        now = datetime.now(timezone.utc)
        by_request = {attempt_id(m, Attempt(n, now, n, now)): m for m in message_ids for n in range(1, tries + 1)}
        found: Counter[str] = Counter()
        for body, request_id in zip(self.sent, self.request_ids, strict=True):
            tag = (body.get("smsSendOptions") or {}).get("tag")
            found[tag or by_request.get(request_id, f"unknown request {request_id}")] += 1
        return found

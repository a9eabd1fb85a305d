"""A stand-in for Azure Bot Service's Direct Line 3.0, on a recording server: it checks the
secret, keeps each conversation's activities with a watermark, and answers like a small
bot. A greeting event is welcomed; "order" asks a question; "agent please" (or the word
"transfer") says so and sends ``handoff.initiate`` with a summary and a transcript; "long"
answers with 2,000 characters; "silent" answers nothing; anything else is echoed.
``down`` makes it answer 503 to every call about activities; ``replay``, read every activity again
whatever the watermark."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from tests.support.recorder import Recorded, Recorder, Reply

SECRET = "dl-secret-" + "a1b2" * 8
BOT_ID = "standin-bot"
BASE = "/v3/directline"
LONG_ANSWER = ("All the details of your order follow. " * 60)[:2000]


class StandInBot:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.conversations: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.down = False
        self.replay = False
        recorder.on("POST", BASE + "/tokens/generate", self._token)
        recorder.on("POST", BASE + "/conversations", self._start)
        recorder.on("POST", BASE + r"/conversations/[^/]+/activities", self._post)
        recorder.on("GET", BASE + r"/conversations/[^/]+/activities", self._read)

    def posted(self, kind: str = "message") -> list[dict[str, Any]]:
        """What Switchboard sent the bot, in order, over every conversation."""
        return [r.json() for r in self.recorder.calls("POST", BASE + r"/conversations/[^/]+/activities")
                if r.json().get("type") == kind]

    @staticmethod
    def _authorised(request: Recorded) -> bool:
        return request.headers.get("Authorization") == f"Bearer {SECRET}"

    def _token(self, request: Recorded) -> Reply:
        if not self._authorised(request):
            return 403, {"error": {"code": "BadArgument", "message": "Invalid secret"}}
        return 200, {"conversationId": "reserved", "token": "t0ken", "expires_in": 3600}

    def _start(self, request: Recorded) -> Reply:
        if not self._authorised(request):
            return 403, {"error": {"code": "BadArgument", "message": "Invalid secret"}}
        conversation_id = f"DL{next(self._ids):04d}"
        with self._lock:
            self.conversations[conversation_id] = []
        return 201, {"conversationId": conversation_id, "token": "t0ken", "expires_in": 1800}

    def _post(self, request: Recorded) -> Reply:
        conversation_id = request.path.split("/")[4]
        if not self._authorised(request) or conversation_id not in self.conversations:
            return 403, {"error": {"code": "BadArgument", "message": "Invalid secret or conversation"}}
        if self.down:
            return 503, {"error": {"code": "ServiceError", "message": "Down"}}
        activity = request.json()
        with self._lock:
            own = self._add(conversation_id, activity)
            for answer in self._answers(activity):
                self._add(conversation_id, {**answer, "from": {"id": BOT_ID, "name": "Stand-in", "role": "bot"}})
        return 200, {"id": own}

    def _read(self, request: Recorded) -> Reply:
        conversation_id = request.path.split("/")[4]
        if not self._authorised(request) or conversation_id not in self.conversations:
            return 403, {"error": {"code": "BadArgument", "message": "Invalid secret or conversation"}}
        if self.down:
            return 503, {"error": {"code": "ServiceError", "message": "Down"}}
        start = 0 if self.replay else int(request.query.get("watermark", ["0"])[0])
        with self._lock:
            found = self.conversations[conversation_id][start:]
            return 200, {"activities": found, "watermark": str(start + len(found))}

    def _add(self, conversation_id: str, activity: dict[str, Any]) -> str:
        activities = self.conversations[conversation_id]
        activity = {**activity, "id": f"{conversation_id}|{len(activities):07d}"}
        activities.append(activity)
        return activity["id"]

    def _answers(self, activity: dict[str, Any]) -> list[dict[str, Any]]:
        if activity.get("type") == "event":
            return [{"type": "message", "text": "Hello! I am the stand-in bot. How can I help?"}]
        text = (activity.get("text") or "").lower()
        if "silent" in text:
            return []
        if "transfer" in text or text == "agent please":
            return [{"type": "message", "text": "Connecting you to an agent."}, _handoff(activity)]
        if "long" in text:
            return [{"type": "message", "text": LONG_ANSWER}]
        if "order" in text:
            return [{"type": "message", "text": "What is your order number?"}]
        return [{"type": "message", "text": f"You said: {activity.get('text')}"}]


def _handoff(activity: dict[str, Any]) -> dict[str, Any]:
    transcript = [{"type": "message", "from": {"role": "user"}, "text": activity.get("text")},
                  {"type": "message", "from": {"role": "bot"}, "text": "Connecting you to an agent."}]
    return {"type": "event", "name": "handoff.initiate",
            "value": {"summary": "Customer asked about a late order", "intent": "order_status"},
            "attachments": [{"contentType": "application/json", "name": "Transcript", "content": transcript}]}

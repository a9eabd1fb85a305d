"""Where a conversation shows in the inboxes, and the views that read them.

A conversation's place (its ``Placement``: state, workstream and queue, who holds it and
who it is offered to) decides which lists it is in; the inbox index keeps one row per list,
so each view below is one range of one partition, read a page at a time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Protocol

from core.bots import BOT
from core.records import CLOSED, Conversation

MINE, OFFERS, QUEUE, WORKSTREAM, ALL = "mine", "offers", "queue", "workstream", "all"
VIEWS = (MINE, OFFERS, QUEUE, WORKSTREAM, ALL)


@dataclass(frozen=True)
class Placement:
    conversation_id: str
    state: str
    workstream_id: str | None
    queue: str | None
    agent_id: str | None
    offer_agent_id: str | None
    created_at: datetime
    queued_at: datetime | None
    stage: str | None = None  # BOT: its bot answers it, so it waits in no queue
    labels: tuple[str, ...] = ()  # lists filter by them, so a change of labels moves it
    terms: tuple[str, ...] = ()  # what search finds it by (search_terms)
    filed: str | None = None  # the day reports file it under (Facts.day): where its fact row is

    @classmethod
    def of(cls, c: Conversation) -> Placement:
        return cls(c.id, c.state, c.workstream_id, c.queue, c.agent.id if c.agent else None,
                   c.offer.agent.id if c.offer else None, c.created_at, c.queued_at, c.stage, c.labels,
                   search_terms(c), c.facts.day)

    @property
    def queued(self) -> bool:
        """Waiting in its queue for distribution (see Conversation.queued)."""
        return (self.state != CLOSED and self.agent_id is None and self.offer_agent_id is None and self.stage != BOT
                and self.queued_at is not None)

    @property
    def holder(self) -> str | None:
        """Whose capacity it uses as held: the agent, while it is live."""
        return self.agent_id if self.state != CLOSED else None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.conversation_id, "state": self.state, "workstream_id": self.workstream_id,
                "queue": self.queue, "agent": self.agent_id, "offer": self.offer_agent_id,
                "created_at": self.created_at.isoformat(),
                "queued_at": self.queued_at.isoformat() if self.queued_at else None, "stage": self.stage,
                "labels": list(self.labels), "terms": list(self.terms), "filed": self.filed}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Placement:
        queued_at = d.get("queued_at")
        return cls(d["id"], d["state"], d.get("workstream_id"), d.get("queue"), d.get("agent"), d.get("offer"),
                   datetime.fromisoformat(d["created_at"]), datetime.fromisoformat(queued_at) if queued_at else None,
                   d.get("stage"), tuple(d.get("labels", ())), tuple(d.get("terms", ())), d.get("filed"))


NUMBER, NAME, LABEL = "r|", "t|", "l|"  # search terms: a number's digits reversed, a name's word, a label
MIN_DIGITS, MAX_WORDS = 4, 5


def this_number(phone: str) -> str:
    """The search prefix of the conversations of this very number: its term ended by "|",
    so no longer number ending in its digits matches."""
    return NUMBER + "".join(ch for ch in phone if ch.isdigit())[::-1] + "|"


def search_terms(c: Conversation) -> tuple[str, ...]:
    """What search finds a conversation by: its customer's number (digits reversed, so any
    ending of it, as a national number is, is a prefix), each word of its contact's and the
    customer's own name, as written and without its accents ("josé" and "jose": agents
    type either; a query is looked up as typed, so rows written before without the plain
    form are still found by the accented one), and its labels; all in lower case."""
    digits = "".join(ch for ch in c.customer if ch.isdigit())
    names = " ".join(n for n in (c.contact_name, c.customer_name) if n)
    words = sorted({w for w in name_words(names)})[:MAX_WORDS]
    return tuple(dict.fromkeys([*([NUMBER + digits[::-1]] if len(digits) >= MIN_DIGITS else []),
                                *(NAME + form for w in words for form in (w, plain(w))),
                                *(LABEL + label.casefold() for label in c.labels)]))


def name_words(text: str) -> list[str]:
    return [w for w in "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split() if len(w) >= 2]


def plain(word: str) -> str:
    """``word`` without its accents: "núñez" is "nunez"."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


@dataclass(frozen=True)
class View:
    """One list: ``mine`` and ``offers`` of ``agent_id``; ``queue`` (waiting in a queue of a
    workstream, oldest first); ``workstream`` (a workstream's, or one of its queues' with
    ``by_queue``, newest first); ``all``. ``state`` narrows mine, workstream and all."""

    kind: str
    agent_id: str | None = None
    workstream_id: str | None = None
    queue: str | None = None
    by_queue: bool = False
    state: str | None = None


@dataclass(frozen=True)
class Page:
    conversations: list[Conversation]
    next: str | None  # continuation token of the next page, None on the last


class EarlierPlaces(Protocol):
    """Search and fact rows where deployments before December 2026 kept them: read only to
    move them (conversations/distribution/upgrade.py)."""

    def finished(self) -> bool:
        """Whether they were moved to the end; once true, asked no more."""

    def move(self, limit: int) -> int:
        """Move a page of at most ``limit`` rows where they are kept now; how many (0: none
        is left, and that is noted, so that it is asked no more)."""


class EarlierLists(Protocol):
    """The inbox index as deployments before December 2026 kept it: read only to move it
    (conversations/distribution/upgrade.py)."""

    def finished(self) -> bool:
        """Whether it was moved to the end (``clear`` ran); once true, asked no more."""

    def remaining(self, limit: int) -> list[Conversation]:
        """Conversations it still lists, as it placed them."""

    def retire(self, conversation: Conversation) -> None:
        """Delete the conversation's rows of it."""

    def clear(self, workstream_ids: Iterable[str]) -> int:
        """Delete whatever is left of it (the workstreams' lists by workstream) and note
        that it was moved; how many rows."""

"""What the domain services need from storage and from providers, as small protocols.

storage/ and channels/ implement them; functions/wiring/ hands the implementations to
the services. Storage failures that may pass surface as core.errors.StorageUnavailable;
a lost optimistic-concurrency race as core.retry.ConcurrencyConflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import (Any, Callable, ContextManager, Generic, Iterable, Mapping, Protocol, Sequence, TypeVar,
                    runtime_checkable)

from core.bots import Activity
from core.messages import FetchedMedia, OutboundMessage, SendResult, Validation
from core.agents import Agent, AgentState
from core.idempotency import Answer, Claim, Found
from core.inbox import Page, Placement, View
from core.live import Notice
from core.reports import Digest, FactRow
from core.records import Account, Attempt, Contact, Conversation, Event, Media, Message, Workstream
from core.labels import Label
from core.skills import Skill
from core.templates import SyncedTemplate
from core.pricing import RateTable

R = TypeVar("R")

# Kinds of unique claims (Claims): a number belongs to one account, is served by one
# workstream, and a mobile phone is one contact's.
ACCOUNT_NUMBER, WORKSTREAM_NUMBER, CONTACT_PHONE = "account-number", "workstream-number", "contact-phone"


class DuplicateMarker(Exception):
    """The provider message id was stored before: this delivery is a retry."""

    def __init__(self, provider_message_id: str) -> None:
        super().__init__(provider_message_id)
        self.provider_message_id = provider_message_id


@dataclass(frozen=True)
class Head:
    """A thread's current conversation as read, with the message sequence and the ETag a
    commit must match."""

    conversation: Conversation
    seq: int
    etag: str


@dataclass(frozen=True)
class Deadline:
    """A row of a time-bucketed work list: what (``key``) falls due when, with what it needs."""

    due_at: datetime
    key: str  # a conversation id (auto-close), or "<kind>|<id>" (timers)
    bucket: str
    data: Mapping[str, Any] = field(default_factory=dict)


class Threads(Protocol):
    """Each customer's thread with one business address: its head, conversations, messages
    and provider-id markers, in one partition (``thread`` is core.ids.thread_key)."""

    def read_head(self, thread: str) -> Head | None: ...

    def commit(self, thread: str, head: Head | None, conversation: Conversation, seq: int,
               messages: Iterable[Message] = (), markers: Iterable[tuple[str, Message]] = (),
               events: Iterable[Event] = ()) -> str:
        """Head, conversation, new messages, markers and history events at once, answering
        the head's new ETag; ConcurrencyConflict when the head changed since ``head`` was
        read, DuplicateMarker when a marker exists."""

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation with its messages and history (one partition range read)."""

    def current(self, conversation_id: str) -> Conversation | None:
        """The conversation as last committed, without messages (one point read)."""

    def message(self, conversation_id: str, seq: int) -> Message | None:
        """One message of a conversation, by its place in the thread (one point read)."""

    def find_message(self, thread: str, message_id: str) -> Message | None:
        """An outbound message by its id (its ``o|`` marker, then the row)."""

    def record_sent(self, thread: str, message: Message, provider_message_id: str, status: str) -> None: ...

    def owner(self, thread: str, provider_message_id: str) -> tuple[str, int] | None:
        """The message of the thread recorded under that provider id, as (conversation id,
        seq); None when none is."""

    def mark_failed(self, thread: str, message: Message, error_code: str | None, error_message: str,
                    status: str = "failed", attempts: int | None = None) -> None:
        """The message's final state when it is not sent: ``failed``, or ``not_sent``, after
        ``attempts`` tries (None: as counted before); left as it is when it is no longer owed
        (a report recorded its provider's id meanwhile)."""

    def mark_retrying(self, thread: str, message: Message, error_code: str | None, error_message: str,
                      attempts: int, in_doubt: bool = False) -> None:
        """A transient failure: the message waits for its next attempt (status ``retrying``);
        ``in_doubt`` when the provider may have taken it all the same (no answer came). Left as
        it is when it is no longer owed (a report recorded its provider's id meanwhile)."""

    def apply_status(self, thread: str, provider_message_id: str, status: str, error_code: str | None,
                     error_message: str | None, message_id: str | None = None) -> bool:
        """Move a message's status forward; False when the report was stale. ``message_id``
        (our own, where the provider echoes it) finds a message whose provider id was
        never recorded."""


class MessageReactions(Protocol):
    """Customers' reactions, kept on the message they react to (found by its provider id)."""

    def react(self, thread: str, provider_message_id: str, emoji: str, at: datetime) -> tuple[Message, bool] | None:
        """Set (or, with an empty emoji, remove) the customer's reaction made ``at``: the
        message and whether it changed (False for a reaction as old as the one it holds, or
        older); None when no message of the thread has that provider id."""


class MessageContents(Protocol):
    """What a stored message is, learned after it was stored (a contact card's names and
    numbers, read when its conversation is first read)."""

    def keep(self, thread: str, message: Message) -> None:
        """Merge the message's content onto its row (one write); nothing when the row is gone."""


class Attempts(Protocol):
    """Each outbound message's tries (core.records.Attempt), kept beside its thread: a try
    is recorded before its provider is called, and a number is taken once, so one process
    at a time tries a message and a try that died is known to be in doubt."""

    def of(self, message: Message) -> list[Attempt]:
        """The message's tries so far, in order (one range read of its thread's partition)."""

    def claim(self, message: Message, attempt: Attempt, reopen: bool = False) -> bool:
        """Take the try's number; False when it was taken (another process's try, or the
        guard's void). ``reopen`` sets a ``not_sent`` message back to ``sending`` in the
        same write: a retry of its request takes the send over."""

    def void(self, message: Message, error_code: str, error_message: str) -> bool:
        """Mark a message nobody tried ``not_sent`` and take its first try's number, in one
        write; False when a try took that number first."""


class Deadlines(Protocol):
    """A time-bucketed work list (auto-close deadlines, distribution timers), read by what is due."""

    def schedule(self, key: str, due_at: datetime, data: Mapping[str, Any] | None = None) -> Deadline:
        """Add (or replace, in the same minute) a row; the row as written."""

    def due(self, now: datetime, limit: int) -> list[Deadline]: ...

    def remove(self, deadline: Deadline) -> None: ...

    def remove_all(self, deadlines: Iterable[Deadline]) -> None:
        """Remove many at once (batched by partition)."""

    def move(self, deadline: Deadline, due_at: datetime, data: Mapping[str, Any] | None = None) -> Deadline: ...


class JobGone(Exception):
    """The queued job was taken by a worker, or removed, since its ticket was issued."""


@dataclass(frozen=True)
class Ticket:
    """A queued job as the queue knows it: its id and the receipt that changes or deletes it."""

    id: str
    receipt: str


class WorkQueue(Protocol):
    """A storage queue of jobs (JSON objects) that survives the instance that queued them;
    a queue-triggered function runs each when it becomes visible."""

    def put(self, job: Mapping[str, Any], delay: float = 0) -> Ticket: ...

    def update(self, ticket: Ticket, job: Mapping[str, Any], delay: float) -> Ticket:
        """Replace a job not yet run and set when it becomes visible again; JobGone when a
        worker took it (or it was removed) meanwhile."""

    def delete(self, ticket: Ticket) -> None:
        """JobGone as for update."""

    def poison(self, job: Mapping[str, Any]) -> None:
        """Keep a job that ran out of tries, for operators (``<queue>-poison``)."""

    def depth(self) -> tuple[int, float | None]:
        """Jobs waiting (approximately) and the age in seconds of the oldest visible one."""


class IdempotencyKeys(Protocol):
    """Each caller's Idempotency-Keys and the answers they got (core/idempotency.py)."""

    def claim(self, owner: str, key: str, fingerprint: str, lease_until: datetime) -> Claim | Found: ...

    def take_over(self, owner: str, key: str, found: Found, lease_until: datetime) -> Claim:
        """ConcurrencyConflict when another request took it first."""

    def finish(self, claim: Claim, fingerprint: str, answer: Answer) -> None: ...

    def release(self, claim: Claim) -> None: ...

    def forget(self, key_partition: str) -> None: ...


class Inbox(Protocol):
    """The inbox index: a row per list a conversation is in (core/inbox.py), its search
    terms, and its fact row (core/reports.py) once it has a day it is filed under."""

    def place(self, conversation: Conversation, stale: Iterable[Placement] = (), refile: bool = False) -> None:
        """Write the conversation's rows, and delete those of ``stale`` places it left; its
        fact row with its workstream's lists, or when ``refile`` (its facts changed alone)."""

    def remove(self, places: Iterable[Placement]) -> None: ...

    def page(self, view: View, limit: int, token: str | None = None) -> Page:
        """One page of a view; ValueError for a token that is not one of ``page``'s."""

    def found(self, prefix: str, limit: int, token: str | None = None) -> tuple[list[str], str | None]:
        """The ids of a page of conversations a search term beginning with ``prefix`` finds
        (core/inbox.py search_terms), and the next page's token; ValueError as ``page``."""


class ReportStore(Protocol):
    """Conversations' fact rows, a range per workstream and day (written with a move by
    the Inbox), and each finished day's digest (docs/reports.md)."""

    def put(self, row: FactRow, finished: bool, new: bool = False) -> None:
        """Write the row unless a newer version of it is there (``new``: most likely none
        is); when its day is ``finished``, mark that day's digest stale."""

    def stale(self, workstream_id: str, day: str) -> None:
        """Mark a finished day's digest stale: a row of that day changed."""

    def rows(self, workstream_id: str, day: str, limit: int, token: str | None = None,
             after: str | None = None) -> tuple[list[FactRow], str | None]:
        """One page of a day's fact rows (those keyed after ``after``, when given), in key
        order, and the next page's token (None on the last)."""

    def digests(self, workstream_id: str, first: str, last: str) -> dict[str, tuple[Digest | None, str]]:
        """The digests kept of days ``first``..``last`` (inclusive), each with its ETag;
        None for a stale one. A day not in the answer has none."""

    def digest_tags(self, workstream_id: str, first: str, last: str) -> dict[str, tuple[bool, str]]:
        """The same range without the digests: whether each is stale, and its ETag."""

    def keep(self, workstream_id: str, day: str, digest: Digest, etag: str | None) -> str | None:
        """Keep a day's digest, unless it changed since ``etag`` (None: none existed;
        ConcurrencyConflict then); its new ETag, or None when it is too large to keep."""

    def unname(self, row: FactRow, unnamed: str) -> None:
        """Keep the row under the key ``unnamed`` without the customer, and delete it as it
        was, at once (an erasure)."""

    def drop(self, row: FactRow) -> None:
        """Delete a conversation's fact row (retention), if it is there."""


class AgentStates(Protocol):
    """Each agent's presence and the conversations using its capacity, with ETags."""

    def read(self, agent_id: str) -> tuple[AgentState, str | None]:
        """The state and its ETag (None: nothing stored yet)."""

    def read_all(self) -> dict[str, tuple[AgentState, str]]: ...

    def write(self, state: AgentState, etag: str | None) -> None:
        """ConcurrencyConflict when it changed (or appeared) since it was read."""


class Records(Protocol, Generic[R]):
    """A table of one kind of record, written with optimistic concurrency (ETags)."""

    def get(self, record_id: str) -> R | None: ...

    def get_for_update(self, record_id: str) -> tuple[R, str]:
        """The record and its ETag, read fresh; NotFound when there is none."""

    def list(self) -> list[R]: ...

    def create(self, record: R) -> None: ...

    def replace(self, record: R, etag: str) -> None:
        """Conflict when it changed since it was read, NotFound when it was deleted."""

    def delete(self, record_id: str) -> None: ...


class Accounts(Records[Account], Protocol):
    pass


class Workstreams(Records[Workstream], Protocol):
    def for_number(self, number: str) -> Workstream | None:
        """The workstream that serves a business address, or None."""

    def retire(self, workstream_id: str, retention_days: int | None) -> None:
        """Keep what a workstream about to be deleted kept its closed conversations for."""

    def retired(self, workstream_id: str) -> tuple[bool, int | None]:
        """Whether the workstream was deleted (retired), and its ``retention_days`` then."""


class Contacts(Records[Contact], Protocol):
    def by_phone(self, phone: str) -> Contact | None:
        """The contact holding this number, as its mobile phone or one of its other phones."""


class Agents(Records[Agent], Protocol):
    """The agents directory, keyed by Entra object id; ``get`` may answer from a short cache."""

    def working(self) -> list[Agent]:
        """Every agent, from the same short cache (distribution reads it on every offer)."""


class Labels(Records[Label], Protocol):
    """The labels admins define, keyed by core.labels.label_key of the name."""


class Skills(Records[Skill], Protocol):
    """The skills catalogue, keyed by core.skills.skill_key of the name."""


class Claims(Protocol):
    """Unique values (a number belongs to one account) claimed around a record's write."""

    def moving(self, kind: str, owner: str, old: Iterable[str], new: Iterable[str],
               holds: Callable[[str, str], bool], what: str) -> ContextManager[None]:
        """Claim what ``new`` adds before the with block (Conflict when another owner holds
        it), release it again if the block fails, release what it drops once it succeeded.
        ``holds(owner, value)`` tells whether an owner's record really holds a value."""


class Telemetry(Protocol):
    """Counters, measurements and spans (names in core/telemetry.py); attributes are ids
    and provider names, never a body, a phone number or a secret."""

    def count(self, name: str, value: int = 1, **attributes: str) -> None: ...

    def record(self, name: str, value: float, **attributes: str) -> None: ...

    def span(self, name: str, **attributes: str) -> ContextManager[None]: ...

    def tag(self, **attributes: str) -> None:
        """Add ids learnt on the way (a stored message's id) to the current span and to
        the logs written under it from now on."""

    def event(self, name: str, **attributes: str | int | float | bool | None) -> None:
        """A custom event in Application Insights: ids and measures only, never a body, a
        phone number or a secret. Attributes that are None are left out."""


class Sender(Protocol):
    """A provider's API as the services use it. Both methods raise ProviderUnreachable
    when the provider cannot be reached, and ProviderError when it fails otherwise."""

    def send(self, account: Account, message: OutboundMessage) -> SendResult: ...

    def find_sent(self, account: Account, message: OutboundMessage, since: datetime) -> list[SendResult]:
        """Messages the provider took since ``since`` that may be ``message`` (a try whose
        answer was lost), newest first; empty when there are none, or when the provider
        cannot be asked and dedupes a repeated try itself (OutboundMessage.attempt_id)."""

    def validate(self, account: Account) -> Validation:
        """One cheap authenticated call: are the account's credentials accepted?"""


@runtime_checkable
class MediaFetcher(Protocol):
    """Fetches an inbound attachment with the account's credentials; raises ProviderError."""

    def fetch_media(self, account: Account, media: Media) -> FetchedMedia: ...


class ReadReceipts(Protocol):
    """Marks a customer's message read at the provider (WhatsApp marks the earlier ones read
    with it): ``business`` is the address the customer wrote to; raises ProviderError."""

    def mark_read(self, account: Account, business: str, provider_message_id: str) -> None: ...


class TemplateSource(Protocol):
    """The templates an account holds at its provider (channels/templates.py), each with its
    status, category and parameters; at most one more than core.templates.MAX_CATALOGUE,
    which tells the sync the listing was cut off (so what is cut off is not marked gone)."""

    def list_templates(self, account: Account) -> list[SyncedTemplate]: ...


class TemplateCatalogues(Protocol):
    """Each account's synced templates (storage/templates.py), one partition per account."""

    def read(self, account_id: str) -> list[SyncedTemplate]:
        """One range read; empty for an account never synced."""

    def write(self, account_id: str, changed: Sequence[SyncedTemplate]) -> None:
        """Replace the given templates' rows (batches of 100); others stay as they are."""


class Rates(Protocol):
    """The admin's rate table (storage/rates.py): one row, read through a short cache."""

    def read(self) -> RateTable | None:
        """None until an admin saves one."""

    def write(self, table: RateTable) -> None:
        """Replace the table."""


class DirectLine(Protocol):
    """Azure Bot Service's Direct Line 3.0, called with a bot's secret. Every method raises
    ProviderUnreachable when Direct Line cannot be reached, ProviderError otherwise."""

    def start(self, secret: str) -> str:
        """Start a conversation; its id."""

    def post(self, secret: str, conversation_id: str, activity: Mapping[str, Any]) -> str:
        """Send an activity to the bot; its id."""

    def activities(self, secret: str, conversation_id: str, watermark: str | None) -> tuple[list[Activity], str | None]:
        """The activities after ``watermark``, and the watermark to read from next."""

    def validate(self, secret: str) -> Validation:
        """One call (token generation): does Direct Line accept the secret?"""


class Realtime(Protocol):
    """Live updates to open workspaces (Azure Web PubSub, conversations/live/): who is told,
    never what a customer wrote. Every method raises RealtimeUnavailable when the service
    cannot be reached or refuses."""

    def client_url(self, user_id: str, groups: Sequence[str], minutes: int) -> str:
        """A URL a browser connects with as ``user_id``, joined to exactly ``groups``, for
        ``minutes``; the token in it lets the client join or leave no group."""

    def publish(self, notices: Sequence[Notice]) -> None:
        """Each notice to its audience (sent at once; all tried even when one fails)."""

    def close_user(self, user_id: str, reason: str) -> None:
        """End the user's connections (its workspaces reconnect, with a new client URL)."""

    def connection_exists(self, connection_id: str) -> bool: ...

    def user_connected(self, user_id: str) -> bool: ...

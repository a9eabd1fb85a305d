"""What must hold once the hosts have been killed and the dust has settled, read from
storage and the stand-ins (and the API, for what agents see):

- every webhook a host took is stored once; nothing inbound is stored twice;
- every send a host answered 201/202 for (replies, templates, proactive batches) is
  stored and went out exactly once; no message went out twice; none is left owed
  (``sending``, ``retrying``); one stored ``not_sent`` or ``failed`` never went out;
- no capacity is reserved for a conversation that does not use it, and each conversation
  an agent holds or is offered uses that agent's capacity; no conversation is in two
  agents' lists;
- a thread has at most one live conversation; every state and status is documented;
- the erasure finished and left nothing of its customer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.identity import ADMIN, AGENT
from core.ids import thread_key, thread_of
from core.records import CLOSED, STATES
from functions.wiring import Services
from localhost.easyauth import object_id_of
from tests.support.crash.fleet import Caller, Ledger
from tests.support.crash.workload import AGENTS, World

OWED = {"sending", "retrying"}
WENT_OUT = {"accepted", "queued", "sent", "delivered", "read"}  # what the stand-ins answer and report
DOCUMENTED = {"received", "not_sent", "undelivered", "failed"} | OWED | WENT_OUT


@dataclass
class Rows:
    """The ``threads`` table, read once."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    conversations: list[dict[str, Any]] = field(default_factory=list)
    heads: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)  # the row keys of each partition

    @classmethod
    def read(cls, services: Services) -> Rows:
        rows = cls()
        for row in services.stores.storage.table("threads").list_entities():
            rows.keys.setdefault(row["PartitionKey"], []).append(row["RowKey"])
            kind = row.get("Kind")
            if kind == "message":
                rows.messages.append(row)
            elif kind == "conversation":
                rows.conversations.append(row)
            elif kind == "head":
                rows.heads.append(row)
        return rows

    def outbound(self) -> dict[str, dict[str, Any]]:
        return {m["MessageId"]: m for m in self.messages if m["Direction"] == "outbound"}


def unsettled(services: Services) -> int:
    """What the timers still have to finish: messages the outbox owes an outcome, and
    capacity reserved for a conversation its agent neither holds nor is offered (the
    agent's watch releases it once no commit can land on it)."""
    rows = Rows.read(services)
    return sum(1 for m in rows.messages if m.get("Status") in OWED) + len(_unbacked(services, rows))


def problems(services: Services, caller: Caller, ledger: Ledger, world: World, executions: Counter[str]) -> list[str]:
    rows = Rows.read(services)
    erased = _erased_threads(world)
    found = [*ledger.refused, *(f"never answered: {u}" for u in ledger.unanswered)]
    found += _inbound(rows, ledger, erased)
    found += _outbound(rows, ledger, executions, erased)
    found += _capacity(services, rows)
    found += _lists(caller, rows)
    found += _threads(rows)
    found += _erasure(caller, rows, world, erased)
    return found


def failures_logged(logs: list[str]) -> list[str]:
    """Requests a host answered 500 (providers' callbacks among them, which no client sees)."""
    return ["a host answered 500: " + failure.split("\n", 1)[0] for log in logs
            for failure in log.split("unhandled error ")[1:]]


def _inbound(rows: Rows, ledger: Ledger, erased: set[str]) -> list[str]:
    stored = Counter(m.get("ProviderMessageId") for m in rows.messages if m["Direction"] == "inbound")
    found = [f"inbound {pid} stored {n} times" for pid, n in stored.items() if n > 1]
    for provider, pid, _customer in ledger.inbound:
        if stored[pid] != 1 and not _erased_inbound(pid, rows, erased):
            found.append(f"inbound {provider} {pid} answered 2xx, stored {stored[pid]} times")
    return found


def _erased_inbound(pid: str, rows: Rows, erased: set[str]) -> bool:
    return bool(erased) and not any(m.get("ProviderMessageId") == pid for m in rows.messages)


def _outbound(rows: Rows, ledger: Ledger, executions: Counter[str], erased: set[str]) -> list[str]:
    out = rows.outbound()
    providers = {c["ConversationId"]: c["Provider"] for c in rows.conversations}
    found = [f"message {mid} ({_described(out.get(mid), providers)}) went out {n} times"
             for mid, n in executions.items() if n > _allowed(out.get(mid), providers)]
    found += [f"a send went out that no stored message records: {mid}" for mid in executions
              if mid.startswith("unattributed")]
    for mid, m in out.items():
        status, went = m.get("Status"), executions[mid]
        if status not in DOCUMENTED:
            found.append(f"message {mid} has the undocumented status {status!r}")
        elif status in OWED:
            found.append(f"message {mid} left {status}")
        elif status in WENT_OUT and not 1 <= went <= _allowed(m, providers):
            found.append(f"message {mid} ({_described(m, providers)}) is {status} but went out {went} times")
        elif status in ("not_sent", "failed") and went:
            found.append(f"message {mid} is {status} ({m.get('ErrorCode')}) but went out {went} times")
    for send in ledger.sends:
        for mid, cid in _promised(send):
            if mid not in out and thread_of(cid) not in erased:
                found.append(f"{send['route']} {mid} answered {send['status']}, not stored")
            elif mid in out and out[mid].get("Status") not in WENT_OUT:
                found.append(f"{send['route']} {mid} answered {send['status']}, ends {out[mid].get('Status')} "
                             f"({out[mid].get('ErrorCode')})")
    return found


def _allowed(m: dict[str, Any] | None, providers: dict[str, str]) -> int:
    """How many times a message may go out: once, or for TeleSign, which cannot be asked
    about a try whose answer was lost, twice when that try's delivery report came too late
    (docs/providers.md, Exactly once)."""
    return 2 if m is not None and providers.get(m["ConversationId"]) == "telesign" else 1


def _described(m: dict[str, Any] | None, providers: dict[str, str]) -> str:
    if m is None:
        return "not stored"
    kind = "bot" if m.get("FromBot") else m.get("Automated") or "agent"
    return (f"{providers.get(m['ConversationId'])} {kind}, {m.get('Status')}, "
            f"provider id {m.get('ProviderMessageId')}, {m.get('Attempts') or 0} tries closed")


def _promised(send: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(message id, conversation id) of each message a send's answer promised."""
    answer = send["answer"] or {}
    if send["route"] == "outbound" and send["status"] in (200, 207):
        return [(r["message_id"], r["conversation_id"]) for r in answer["results"] if r["status"] != "failed"]
    if send["status"] in (201, 202):
        return [(answer["id"], send["conversation_id"])]
    return []


def _unbacked(services: Services, rows: Rows) -> list[str]:
    current = {c["ConversationId"]: c for c in rows.conversations}
    found = []
    for agent in AGENTS:
        agent_id = object_id_of(agent)
        for cid in services.distribution.capacity.read(agent_id).slots:
            c = current.get(cid)
            holds = c is not None and c["State"] != CLOSED and c.get("Agent") == agent_id
            offered = c is not None and c.get("OfferAgent") == agent_id
            if not (holds or offered):
                found.append(f"{agent}'s capacity is reserved for {cid}, which neither it holds nor is offered")
    return found


def _capacity(services: Services, rows: Rows) -> list[str]:
    found = _unbacked(services, rows)
    current = {c["ConversationId"]: c for c in rows.conversations}
    uses: dict[str, set[str]] = {}
    for agent in AGENTS:
        for cid in services.distribution.capacity.read(object_id_of(agent)).slots:
            uses.setdefault(cid, set()).add(agent)
    for cid, c in current.items():
        for column in ("Agent", "OfferAgent"):
            holder = c.get(column)
            if holder and c["State"] != CLOSED and not any(object_id_of(a) == holder and a in uses.get(cid, ())
                                                            for a in AGENTS):
                found.append(f"conversation {cid} names {column} {holder}, whose capacity does not count it")
    return found + [f"conversation {cid} uses the capacity of {sorted(a)}" for cid, a in uses.items() if len(a) > 1]


def _lists(caller: Caller, rows: Rows) -> list[str]:
    found, seen = [], {}
    current = {c["ConversationId"]: c for c in rows.conversations}
    for agent in AGENTS:
        page = caller.api(agent, (AGENT,), "GET", "/conversations?view=mine&limit=200")
        for c in page.json()["conversations"] if page is not None else []:
            if c["id"] in seen:
                found.append(f"conversation {c['id']} is in the lists of {seen[c['id']]} and {agent}")
            seen[c["id"]] = agent
            if c["id"] not in current:
                found.append(f"{agent} lists {c['id']}, which does not exist")
            elif current[c["id"]].get("Agent") != object_id_of(agent):
                found.append(f"{agent} lists {c['id']}, held by {current[c['id']].get('AgentName') or 'nobody'}")
    every = caller.api("alice", (ADMIN,), "GET", "/conversations?view=all&limit=500")
    for c in every.json()["conversations"] if every is not None else []:
        if c["state"] not in STATES:
            found.append(f"conversation {c['id']} shows the undocumented state {c['state']!r}")
    return found


def _threads(rows: Rows) -> list[str]:
    live = Counter(thread_of(c["ConversationId"]) for c in rows.conversations if c["State"] != CLOSED)
    found = [f"thread {t} has {n} live conversations" for t, n in live.items() if n > 1]
    heads = {h["PartitionKey"]: h["ConversationId"] for h in rows.heads}
    for c in rows.conversations:
        if c["State"] != CLOSED and heads.get(thread_of(c["ConversationId"])) != c["ConversationId"]:
            found.append(f"live conversation {c['ConversationId']} is not its thread's current one")
        if c["State"] not in STATES:
            found.append(f"conversation {c['ConversationId']} is in the undocumented state {c['State']!r}")
    return found


def _erased_threads(world: World) -> set[str]:
    customer = world.erased
    return {thread_key(customer.account.id, customer.business, customer.address)} if customer else set()


def _erasure(caller: Caller, rows: Rows, world: World, erased: set[str]) -> list[str]:
    if world.erasure_id in (None, "asked"):
        return ["the erasure was never answered 200"]
    job = caller.api("alice", (ADMIN,), "GET", f"/admin/erasures/{world.erasure_id}")
    found = [] if job is not None and job.json().get("state") == "done" else [f"the erasure did not finish: {job}"]
    return found + [f"the erased thread {t} still has rows {rows.keys[t]}" for t in erased & set(rows.keys)]

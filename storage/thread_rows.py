"""The rows of a thread partition (see storage/threads.py): their keys, and records as
entities and back."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from core.bots import BotSession, Handoff
from core.content import Content
from core.facts import Facts
from core.skills import SkillNeed
from core.sla import ServiceLevel
from core.identity import Actor
from core.messages import MAX_NAMED_ID
from core.pricing import Cost
from core.records import OPTED_IN, Consent, Conversation, Decline, Event, Media, Message, Offer, TemplateRef
from storage.columns import get_json, put_json
from storage.keys import safe_key

HEAD = "head"
MAX_KEY_ID = 255  # provider ids (Twilio's are 34 characters) up to this length key their marker as they are
MAX_STORED_ID = MAX_NAMED_ID  # what a message row keeps of a longer one; its marker still finds it
MAX_ERROR_CODE, MAX_ERROR_MESSAGE = 100, 1000  # what a message keeps of a provider's error


def conversation_key(conversation_id: str) -> str:
    return f"c|{conversation_id}"


def message_key(conversation_id: str, seq: int) -> str:
    return f"c|{conversation_id}|m|{seq:010d}"


def message_of(row_key: str) -> tuple[str, int]:
    """The (conversation id, seq) a message row key names (``message_key`` backwards)."""
    _, conversation_id, _, seq = row_key.split("|")
    return conversation_id, int(seq)


def event_key(conversation_id: str, seq: int) -> str:
    return f"c|{conversation_id}|e|{seq:010d}"


def marker_key(provider_message_id: str) -> str:
    """Provider ids are escaped, not trusted; one too long for a key (1 KiB) is keyed by its
    hash (``%H`` cannot come out of safe_key, which only writes ``%`` before hex digits)."""
    key = safe_key(provider_message_id)
    if len(key) > MAX_KEY_ID:
        key = "%H" + hashlib.sha256(provider_message_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"p|{key}"


def attempts_prefix(conversation_id: str) -> str:
    """Where a conversation's tries are kept: beside its rows, not among them, so reading a
    conversation does not read them (storage/attempts.py)."""
    return f"a|{conversation_id}|"


def attempt_key(conversation_id: str, seq: int, number: int) -> str:
    return f"{attempts_prefix(conversation_id)}{seq:010d}|{number:03d}"


def own_key(message_id: str) -> str:
    """The marker of one of our outbound messages by its own id (message ids are hex)."""
    return f"o|{message_id}"


def bounded(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else value


def error_fields(code: str | None, message: str | None, prefix: str = "") -> dict[str, str]:
    """A message's error as a merge writes it: "" for none, so that it clears an earlier
    one (a merge leaves a None property out, and the old value would stay)."""
    return {f"{prefix}ErrorCode": bounded(code, MAX_ERROR_CODE) or "",
            f"{prefix}ErrorMessage": bounded(message, MAX_ERROR_MESSAGE) or ""}


def conversation_fields(c: Conversation) -> dict[str, Any]:
    fields = {
        "ConversationId": c.id, "State": c.state, "Channel": c.channel, "Provider": c.provider,
        "AccountId": c.account_id, "WorkstreamId": c.workstream_id or "", "Customer": c.customer,
        "Business": c.business, **_actor_fields("Agent", c.agent), "CreatedAt": c.created_at,
        "LastActivityAt": c.last_activity_at, "LastCustomerMessageAt": c.last_customer_message_at,
        "AutoCloseMinutes": c.auto_close_after_minutes, "ClosedAt": c.closed_at, "ClosedReason": c.closed_reason or "",
        "Queue": c.queue or "", "ContactId": c.contact_id or "", "ContactName": c.contact_name or "",
        "OutOfHoursPeriod": c.out_of_hours_period or "",
        "ConsentState": c.consent.state, "ConsentChangedAt": c.consent.changed_at,
        "ConsentSource": c.consent.source or "", "CustomerName": c.customer_name or "",
        **_actor_fields("OfferAgent", c.offer.agent if c.offer else None),
        "OfferExpiresAt": c.offer.expires_at if c.offer else None,
        "Declined": json.dumps([[d.agent_id, d.at.isoformat()] for d in c.declined]) if c.declined else "",
        "QueuedAt": c.queued_at, **_actor_fields("PreviousAgent", c.previous_agent), "Version": c.version,
        "Stage": c.stage or "", "Bot": json.dumps(c.bot.to_dict()) if c.bot else "",
    }
    fields = put_json(fields, "Handoff", c.handoff.to_dict() if c.handoff else None)
    fields = put_json(fields, "Facts", c.facts.to_dict() or None)
    fields = put_json(fields, "Skills", [n.to_dict() for n in c.skills] or None)
    fields["Overflowed"] = json.dumps(list(c.overflowed)) if c.overflowed else ""
    fields["Preview"] = c.preview or ""
    fields["LatestCustomerMessage"] = c.latest_customer_message or ""
    fields["Disposition"] = c.disposition or ""
    fields["Labels"] = json.dumps(list(c.labels)) if c.labels else ""
    fields["Seen"] = json.dumps([list(s) for s in c.seen]) if c.seen else ""
    return put_json(fields, "ServiceLevel", c.service_level.to_dict() if c.service_level else None)


def to_conversation(e: dict[str, Any]) -> Conversation:
    return Conversation(
        id=e["ConversationId"], state=e["State"], channel=e["Channel"], provider=e["Provider"],
        account_id=e["AccountId"], workstream_id=e.get("WorkstreamId") or None, customer=e["Customer"],
        business=e["Business"], agent=_to_actor(e, "Agent"), created_at=e["CreatedAt"],
        last_activity_at=e["LastActivityAt"], last_customer_message_at=e.get("LastCustomerMessageAt"),
        auto_close_after_minutes=int(e["AutoCloseMinutes"]), closed_at=e.get("ClosedAt"),
        closed_reason=e.get("ClosedReason") or None, queue=e.get("Queue") or None,
        contact_id=e.get("ContactId") or None, contact_name=e.get("ContactName") or None,
        out_of_hours_period=e.get("OutOfHoursPeriod") or None,
        consent=Consent(state=e.get("ConsentState") or OPTED_IN, changed_at=e.get("ConsentChangedAt"),
                        source=e.get("ConsentSource") or None),
        customer_name=e.get("CustomerName") or None, offer=_to_offer(e),
        declined=tuple(Decline(a, datetime.fromisoformat(at)) for a, at in json.loads(e.get("Declined") or "[]")),
        queued_at=e.get("QueuedAt"), previous_agent=_to_actor(e, "PreviousAgent"), version=int(e.get("Version") or 0),
        stage=e.get("Stage") or None, bot=BotSession.from_dict(json.loads(e["Bot"])) if e.get("Bot") else None,
        handoff=_to_handoff(get_json(e, "Handoff", None)), facts=Facts.from_dict(get_json(e, "Facts", None) or {}),
        service_level=_to_service_level(get_json(e, "ServiceLevel", None)),
        skills=tuple(SkillNeed.from_dict(n) for n in get_json(e, "Skills", None) or ()),
        overflowed=tuple(json.loads(e.get("Overflowed") or "[]")), preview=e.get("Preview") or None,
        latest_customer_message=e.get("LatestCustomerMessage") or None,
        disposition=e.get("Disposition") or None, labels=tuple(json.loads(e.get("Labels") or "[]")),
        seen=tuple((a, int(n)) for a, n in json.loads(e.get("Seen") or "[]")),
    )


def _to_service_level(value: dict[str, Any] | None) -> ServiceLevel | None:
    return ServiceLevel.from_dict(value) if value else None


def _to_handoff(value: dict[str, Any] | None) -> Handoff | None:
    return Handoff.from_dict(value) if value else None


def _to_offer(e: dict[str, Any]) -> Offer | None:
    agent = _to_actor(e, "OfferAgent")
    return Offer(agent, e["OfferExpiresAt"]) if agent and e.get("OfferExpiresAt") else None


def message_entity(thread: str, m: Message) -> dict[str, Any]:
    return {
        "PartitionKey": thread, "RowKey": message_key(m.conversation_id, m.seq), "Kind": "message",
        "MessageId": m.id, "ConversationId": m.conversation_id, "Direction": m.direction, "Body": m.body,
        "Media": json.dumps([x.to_dict() for x in m.media], ensure_ascii=False), "Status": m.status,
        "ProviderMessageId": bounded(m.provider_message_id, MAX_STORED_ID), "CreatedAt": m.created_at,
        **_actor_fields("Agent", m.agent), "ErrorCode": m.error_code, "ErrorMessage": m.error_message, "Seq": m.seq,
        "Keyword": m.keyword, "Automated": m.automated, "FallbackFor": m.fallback_for or "",
        "MediaDropped": m.media_dropped, "FromBot": m.from_bot,
        "Template": json.dumps(m.template.to_dict(), ensure_ascii=False) if m.template else "",
        "Content": json.dumps(m.content.to_dict(), ensure_ascii=False) if m.content else "", "Reaction": m.reaction or "",
        "Cost": json.dumps(m.cost.to_dict()) if m.cost else "",
    }


def to_message(e: dict[str, Any]) -> Message:
    return Message(
        id=e["MessageId"], conversation_id=e["ConversationId"], direction=e["Direction"], body=e.get("Body") or "",
        media=tuple(Media(**x) for x in json.loads(e.get("Media") or "[]")), status=e.get("Status") or "",
        provider_message_id=e.get("ProviderMessageId"), created_at=e["CreatedAt"], seq=int(e["Seq"]),
        agent=_to_actor(e, "Agent"), error_code=e.get("ErrorCode") or None, error_message=e.get("ErrorMessage") or None,
        keyword=e.get("Keyword"), automated=e.get("Automated"),
        fallback_for=e.get("FallbackFor") or None, media_dropped=int(e.get("MediaDropped") or 0),
        attempts=int(e.get("Attempts") or 0), from_bot=bool(e.get("FromBot")),
        template=TemplateRef.from_dict(json.loads(e["Template"])) if e.get("Template") else None,
        in_doubt=bool(e.get("InDoubt")),
        content=Content.from_dict(json.loads(e["Content"])) if e.get("Content") else None,
        reaction=e.get("Reaction") or None,
        cost=Cost.from_dict(json.loads(e["Cost"])) if e.get("Cost") else None,
    )


def event_entity(thread: str, v: Event) -> dict[str, Any]:
    return {"PartitionKey": thread, "RowKey": event_key(v.conversation_id, v.seq), "Kind": "event",
            "ConversationId": v.conversation_id, "Seq": v.seq, "At": v.at, "Action": v.action,
            **_actor_fields("Actor", v.actor), "Detail": v.detail, **_actor_fields("Subject", v.subject)}


def to_event(e: dict[str, Any]) -> Event:
    return Event(conversation_id=e["ConversationId"], seq=int(e["Seq"]), at=e["At"], action=e["Action"],
                 actor=_to_actor(e, "Actor"), detail=e.get("Detail"), subject=_to_actor(e, "Subject"))


def _actor_fields(column: str, actor: Actor | None) -> dict[str, str]:
    return {column: actor.id if actor else "", f"{column}Name": actor.name if actor else ""}


def _to_actor(e: dict[str, Any], column: str) -> Actor | None:
    """The actor a row names; rows written before actors were people name a free text only."""
    actor_id = e.get(column) or ""
    return Actor(actor_id, e.get(f"{column}Name") or actor_id) if actor_id else None

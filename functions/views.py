"""How records look in the API: accounts (secrets masked, callback URLs), workstreams,
contacts, conversations and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations.messaging.policies import reply_window_ends_at
from core.identity import Actor, Principal
from core.agents import Agent, AgentState, QueueRef
from core.providers import ProviderSpec
from core.content import MEDIA, TEXT
from core.errors import SwitchboardError
from core.records import (CHANNELS, INBOUND, Account, Contact, Conversation, Event, Media, Message, Workstream,
                          preview_of)
from core.labels import Label
from core.reports import zone_of
from core.skills import Skill
from core.sla import TARGETS, Clock, ServiceLevel


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def mask(secret: str) -> str:
    """What the API shows of a secret: four stars and the last four characters."""
    return "****" + secret[-4:] if len(secret) > 4 else "****"


def account_view(account: Account, base_url: str, spec: ProviderSpec) -> dict[str, Any]:
    """An account as admins see it: secrets masked, with its provider's callback URLs."""
    return {
        "id": account.id, "name": account.name, "channel": account.channel, "provider": account.provider,
        "credentials": {k: mask(v) if k in spec.secret_fields else v for k, v in sorted(account.credentials.items())},
        "numbers": [n.to_dict() for n in account.numbers],
        **({"channels": [c.to_dict() for c in account.channels]} if account.channel in spec.registered_channels
           else {}),
        "callback": spec.callbacks(base_url, account.id),
        "created_at": account.created_at.isoformat(), "updated_at": account.updated_at.isoformat(),
    }


def workstream_view(w: Workstream) -> dict[str, Any]:
    return {
        "id": w.id, "name": w.name, "channel": w.channel, "account_id": w.account_id, "number": w.number,
        "auto_close_after_minutes": w.auto_close_after_minutes, **w.settings.to_dict(),
        "templates": [t.to_dict() for t in w.templates],
        "bot": {**w.bot.public_dict(), "secret": mask(w.bot.secret)} if w.bot else None,
        "created_at": w.created_at.isoformat(), "updated_at": w.updated_at.isoformat(),
    }


def answering_view(w: Workstream | None) -> dict[str, Any] | None:
    """What a conversation's workstream gives an agent to answer with."""
    if w is None:
        return None
    return {"id": w.id, "name": w.name, "channel": w.channel, "templates": [t.to_dict() for t in w.templates],
            "queues": list(w.settings.queues), "quick_replies": [q.to_dict() for q in w.settings.quick_replies],
            "attachments": {"agents_can_send": w.settings.agents_can_send_attachments},
            "wrap_up": w.settings.wrap_up.to_dict(), "time_zone": zone_of(w)}


def agent_view(a: Agent, state: AgentState | None = None, presence: str | None = None) -> dict[str, Any]:
    """An agent as admins see it; with its ``state``, its ``presence`` as it stands and its load."""
    view = {"id": a.id, "name": a.name, "roles": sorted(a.roles), "queues": [queue_view(q) for q in a.queues],
            "supervises": list(a.supervises), "capacity": capacity_view(a), "skills": skills_view(a),
            "created_at": _time(a.created_at), "updated_at": _time(a.updated_at), "last_seen_at": _time(a.last_seen_at)}
    if state is not None:
        view.update(work_view(state, presence or state.presence))
    return view


def skills_view(a: Agent) -> list[dict[str, Any]]:
    return [{"name": name, "proficiency": level} for name, level in sorted(a.skills.items())]


def label_view(label: Label) -> dict[str, Any]:
    return {"name": label.name, "colour": label.colour, "created_at": _time(label.created_at)}


def skill_view(s: Skill) -> dict[str, Any]:
    return {"name": s.name, "description": s.description, "created_at": _time(s.created_at)}


def capacity_view(a: Agent) -> dict[str, int]:
    return {channel: a.capacity_for(channel) for channel in CHANNELS}


def work_view(state: AgentState, presence: str) -> dict[str, Any]:
    return {"presence": presence, "load": {channel: state.load(channel) for channel in CHANNELS}}


def queue_view(q: QueueRef) -> dict[str, Any]:
    return {"workstream_id": q.workstream_id, "queue": q.queue}


def me_view(principal: Principal, agent: Agent, state: AgentState, presence: str) -> dict[str, Any]:
    """The caller: roles from the token it signed in with, queues and capacity from the
    directory, presence and load as they stand."""
    return {"id": principal.id, "name": principal.name, "roles": sorted(principal.roles), "app": principal.app,
            "queues": [queue_view(q) for q in agent.queues], "supervises": list(agent.supervises),
            "skills": skills_view(agent),
            "capacity": capacity_view(agent), **work_view(state, presence)}


def contact_view(c: Contact) -> dict[str, Any]:
    return {"id": c.id, "mobile_phone": c.mobile_phone, "other_phones": list(c.other_phones), "name": c.name,
            "fields": c.fields, "created_at": c.created_at.isoformat(), "updated_at": c.updated_at.isoformat()}


def conversation_view(c: Conversation, with_messages: bool = False, api_base: str = "",
                      fetches_media: bool = False) -> dict[str, Any]:
    """``fetches_media``: the conversation's provider lets agents open customers' attachments
    through Switchboard (GET .../media/{i}), so each gets a ``download_url``."""
    view: dict[str, Any] = {
        "id": c.id, "state": c.state, "channel": c.channel, "provider": c.provider, "account_id": c.account_id,
        "workstream_id": c.workstream_id, "customer": c.customer, "customer_name": c.customer_name,
        "business": c.business, "agent": actor_view(c.agent),
        "created_at": _time(c.created_at), "last_activity_at": _time(c.last_activity_at),
        "last_customer_message_at": _time(c.last_customer_message_at),
        "reply_window_ends_at": _time(reply_window_ends_at(c)),
        "auto_close_after_minutes": c.auto_close_after_minutes,
        "closed_at": _time(c.closed_at), "closed_reason": c.closed_reason, "queue": c.queue,
        "required_skills": [n.to_dict() for n in c.skills], "queued_at": _time(c.queued_at),
        "overflowed": list(c.overflowed), "preview": c.preview, "unread": c.unread, "disposition": c.disposition,
        "labels": list(c.labels),
        "offer": {"agent": actor_view(c.offer.agent), "expires_at": _time(c.offer.expires_at)} if c.offer else None,
        "version": c.version,
        "contact": {"id": c.contact_id, "name": c.contact_name} if c.contact_id else None,
        "consent": {"state": c.consent.state, "changed_at": _time(c.consent.changed_at), "source": c.consent.source},
        "stage": c.stage, "handoff": c.handoff.to_dict() if c.handoff else None,
        "csat": c.facts.csat,
        "service_level": service_level_view(c.service_level),
    }
    if with_messages:
        held = {m.provider_message_id: m for m in c.messages if m.provider_message_id}
        reacted = {m.content.reacts_to: m for m in c.messages if m.agent_reaction and m.content}  # the latest wins
        view["messages"] = [message_view(m, api_base, fetches_media, held, reacted.get(m.provider_message_id or ""))
                            for m in c.messages if not m.agent_reaction]  # shown on the message they react to
        view["history"] = [event_view(e) for e in c.events]
    return view


def service_level_view(sl: ServiceLevel | None) -> dict[str, Any] | None:
    """Its clocks (core/sla.py): the one due first, each running one, and how many of each
    target's clocks were met and breached; None when its workstream sets no target."""
    if sl is None:
        return None

    def clock(c: Clock | None) -> dict[str, Any] | None:
        return {"target": c.target, "started_at": _time(c.started_at), "warn_at": _time(c.warn_at),
                "due_at": _time(c.due_at), "warned": c.warned, "breached": c.breached} if c else None

    return {"next_due": clock(sl.next_due), "running": [clock(c) for c in sl.running],
            "results": {t: dict(zip(("met", "breached"), sl.met(t))) for t in TARGETS if sl.targets.minutes(t)},
            "targets": sl.targets.to_dict()}


def event_view(e: Event) -> dict[str, Any]:
    return {"seq": e.seq, "at": _time(e.at), "action": e.action, "actor": actor_view(e.actor), "detail": e.detail,
            "subject": actor_view(e.subject)}


def actor_view(actor: Actor | None) -> dict[str, str] | None:
    return {"id": actor.id, "name": actor.name} if actor else None


def _media_view(m: Message, index: int, media: Media, api_base: str, downloadable: bool) -> dict[str, Any]:
    """An attachment as agents see it; a customer's gets a Switchboard download link, which
    fetches it with the account's credentials (provider media ids and URLs need those)."""
    view: dict[str, Any] = {"content_type": media.content_type}
    if media.url:
        view["url"] = media.url
    if downloadable and m.direction == INBOUND:
        view["download_url"] = f"{api_base}/conversations/{m.conversation_id}/messages/{m.id}/media/{index}"
    view.update({k: v for k, v in (("caption", media.caption), ("file_name", media.file_name)) if v})
    return view


def message_view(m: Message, api_base: str = "", fetches_media: bool = False,
                 held: dict[str, Message] | None = None, reacted: Message | None = None) -> dict[str, Any]:
    """``held``: the conversation's messages by provider id, for the one a reply quotes;
    ``reacted``: an agent's latest reaction to it."""
    view: dict[str, Any] = {
        "id": m.id, "direction": m.direction, "body": m.body,
        "media": [_media_view(m, i, x, api_base, fetches_media) for i, x in enumerate(m.media)],
        "status": m.status, "provider_message_id": m.provider_message_id, "created_at": _time(m.created_at),
        "agent": actor_view(m.agent), "keyword": m.keyword, "automated": m.automated, "from_bot": m.from_bot,
    }
    if m.media_dropped:
        view["media_dropped"] = m.media_dropped
    if m.attempts:
        view["attempts"] = m.attempts
    if m.fallback_for:
        view["fallback_for"] = m.fallback_for
    if m.template is not None:
        view["template"] = {"name": m.template.name, "language": m.template.language}
    if m.cost is not None:
        view["cost"] = m.cost.to_dict()
    if m.error_code or m.error_message:
        view["error"] = {"code": m.error_code, "message": m.error_message}
    view.update(content_view(m, held or {}))
    if reacted is not None:
        view["agent_reaction"] = agent_reaction_view(reacted)
    return view


def agent_reaction_view(r: Message) -> dict[str, Any]:
    """An agent's reaction (conversations/messaging/reacting.py): its emoji ("" once taken
    back), who sent it and how its sending went."""
    view = {"id": r.id, "emoji": r.content.emoji if r.content else "", "agent": actor_view(r.agent),
            "status": r.status, "created_at": _time(r.created_at)}
    if r.error_code or r.error_message:
        view["error"] = {"code": r.error_code, "message": r.error_message}
    return view


def reactions_view(refusal: SwitchboardError | None) -> dict[str, Any]:
    """Whether agents can react to the customer's messages now, and why not."""
    return {"allowed": refusal is None, "code": refusal.code if refusal else None,
            "reason": refusal.message if refusal else None}


def content_view(m: Message, held: dict[str, Message]) -> dict[str, Any]:
    """What a customer's message is (core/content.py): its kind and the parts it has, the
    message it answers (with a short excerpt when the conversation holds it) and the
    customer's reaction to it."""
    c = m.content
    view: dict[str, Any] = {"kind": c.kind if c else (MEDIA if m.media else TEXT)}
    if m.reaction:
        view["reaction"] = m.reaction
    if c is None:
        return view
    parts = {"location": c.location.to_dict() if c.location else None,
             "choice": c.choice.to_dict() if c.choice else None, "unsupported_type": c.type_name,
             "contacts": [card.to_dict() for card in c.contacts] if c.contacts is not None else None,
             "interactive": c.interactive.to_dict() if c.interactive else None}
    view.update({k: v for k, v in parts.items() if v is not None})
    if c.answers:
        quoted = held.get(c.answers)
        view["reply_to"] = {"provider_message_id": c.answers, "message_id": quoted.id if quoted else None,
                            "excerpt": preview_of(quoted.body) if quoted else None}
    return view

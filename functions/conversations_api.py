"""Agent API (signed in as an agent, supervisor or admin): list, read, accept, decline,
answer, park, transfer, assign, unassign and close conversations, each within the
caller's scope (conversations/access.py); notes, labels and reactions are in
annotations_api.py."""

from __future__ import annotations

from typing import Any

import azure.functions as func

from conversations.access import Scope
from conversations.distribution.inboxes import Query
from conversations.messaging.policies import parse_media
from conversations.admin.validation import reject_unknown, require_object, text
from core.errors import Forbidden, ValidationFailed
from core.identity import ADMIN, AGENT, SUPERVISOR
from core.ids import is_record_id
from core.inbox import VIEWS, Page
from core.interactive import read as read_interactive
from core.media import UNKNOWN_MEDIA_TYPE, media_type
from core.records import STATES, Conversation, Message
from core.settings import MAX_QUEUE_NAME
from core.status import PENDING
from functions.http import API_HEADERS, handled, json_body, json_response, page_limit, public_base_url, services
from functions.identity import scope_of
from functions.idempotent import idempotent
from functions.views import answering_view, contact_view, conversation_view, message_view, reactions_view

bp = func.Blueprint()

MAX_LIMIT = 1000
MAX_TOKEN = 4096


def _api_base(req: func.HttpRequest) -> str:
    return public_base_url(req) + "/api"


def _scope(req: func.HttpRequest) -> Scope:
    return scope_of(req, ADMIN, SUPERVISOR, AGENT)


def _optional_body(req: func.HttpRequest, scope: Scope, allowed: tuple[str, ...] = ()) -> dict[str, Any]:
    """A body that may be left out: nothing, or a JSON object of ``allowed`` fields (and
    ``agent``, which must then name the caller)."""
    if not req.get_body():
        return {}
    body = require_object(json_body(req))
    reject_unknown(body, (*allowed, "agent"))
    _as_yourself(body, scope)
    return body


def _as_yourself(body: dict[str, Any], scope: Scope) -> None:
    """Everyone acts as themselves: the caller is the agent, and a body naming someone
    else is refused (``agent`` is no longer needed)."""
    named = body.get("agent")
    if named is not None and named not in (scope.principal.id, scope.principal.name):
        raise Forbidden("you act as yourself, the signed-in user; leave agent out", code="not_yourself")


@bp.route(route="api/conversations", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_conversations(req: func.HttpRequest) -> func.HttpResponse:
    """One page of one of the caller's lists (conversations/distribution/inboxes.py), or with
    ``q`` of what a search finds (conversations/distribution/search.py), with ``next``."""
    params = req.params
    if params.get("q") is not None:
        return _search(req)
    view, state = params.get("view") or None, params.get("state") or None
    if view is not None and view not in VIEWS:
        raise ValidationFailed("view", f"must be one of {', '.join(VIEWS)}")
    if state is not None and state not in STATES:
        raise ValidationFailed("state", f"must be one of {', '.join(STATES)}")
    limit = page_limit(params, 100, MAX_LIMIT)
    workstream_id, queue = params.get("workstream_id") or None, params.get("queue")
    if workstream_id and not is_record_id(workstream_id):
        raise ValidationFailed("workstream_id", "must be a workstream id (32 hexadecimal characters)")
    if queue is not None and len(queue) > MAX_QUEUE_NAME:
        raise ValidationFailed("queue", f"must be a queue name of at most {MAX_QUEUE_NAME} characters")
    if queue is not None and not workstream_id:
        raise ValidationFailed("workstream_id", "is needed with queue")
    query = Query(view, workstream_id, queue or None, queue is not None, state)
    page = services().distribution.inboxes.page(_scope(req), query, limit, _next_token(params, "list"))
    return _page_view(page)


def _search(req: func.HttpRequest) -> func.HttpResponse:
    params = req.params
    other = sorted(set(params) & {"view", "workstream_id", "queue", "state"})
    if other:
        raise ValidationFailed(other[0], "is not for a search (q); leave it out")
    page = services().distribution.search.find(_scope(req), params["q"], page_limit(params, 20, MAX_LIMIT),
                                               _next_token(params, "search"))
    return _page_view(page)


def _next_token(params: Any, what: str) -> str | None:
    token = params.get("next") or None
    if token is not None and len(token) > MAX_TOKEN:
        raise ValidationFailed("next", f"must be the next token of an earlier page of this {what}")
    return token


def _page_view(page: Page) -> func.HttpResponse:
    return json_response({"conversations": [conversation_view(c) for c in page.conversations], "next": page.next})


@bp.route(route="api/conversations/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_conversation(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(full_view(req, services().messaging.actions.get(req.route_params["id"], _scope(req))))


def full_view(req: func.HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """A conversation read by id: its messages and history, its workstream's answering
    settings and its contact (also what a transcript export holds)."""
    actions = services().messaging.actions
    view = conversation_view(conversation, with_messages=True, api_base=_api_base(req),
                             fetches_media=actions.fetches_media(conversation.provider))
    view["workstream"] = answering_view(actions.workstream(conversation))
    view["reactions"] = reactions_view(services().messaging.reacting.why_not(conversation))
    if conversation.contact_id:  # the contact as it is now, not as it was when linked: none, once deleted
        contact = services().admin.contacts.find_by_id(conversation.contact_id)
        view["contact"] = contact_view(contact) if contact else None
    return view


@bp.route(route="api/conversations/{id}/accept", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def accept_conversation(req: func.HttpRequest) -> func.HttpResponse:
    scope = _scope(req)
    _optional_body(req, scope)
    return json_response(conversation_view(services().distribution.assignments.accept(req.route_params["id"], scope)))


@bp.route(route="api/conversations/{id}/decline", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def decline_conversation(req: func.HttpRequest) -> func.HttpResponse:
    scope = _scope(req)
    _optional_body(req, scope)
    return json_response(conversation_view(services().distribution.assignments.decline(req.route_params["id"], scope)))


@bp.route(route="api/conversations/{id}/transfer", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def transfer_conversation(req: func.HttpRequest) -> func.HttpResponse:
    """To an agent (``agent_id``) or to a queue of the conversation's workstream (``queue``)."""
    scope = _scope(req)
    body = require_object(json_body(req))
    reject_unknown(body, ("agent_id", "queue"))
    if ("agent_id" in body) == ("queue" in body):
        raise ValidationFailed("agent_id", "name either agent_id (an agent) or queue (a queue, or null), "
                               + ("not both" if body else "one of them"))
    assignments, conversation_id = services().distribution.assignments, req.route_params["id"]
    if "agent_id" in body:
        return json_response(conversation_view(assignments.transfer_to_agent(conversation_id, scope, body["agent_id"])))
    return json_response(conversation_view(assignments.transfer_to_queue(conversation_id, scope, body["queue"])))


@bp.route(route="api/conversations/{id}/assign", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def assign_conversation(req: func.HttpRequest) -> func.HttpResponse:
    scope = _scope(req)
    body = require_object(json_body(req))
    reject_unknown(body, ("agent_id",))
    if "agent_id" not in body:
        raise ValidationFailed("agent_id", "is required")
    return json_response(conversation_view(services().distribution.assignments.assign(req.route_params["id"], scope,
                                                                         body["agent_id"])))


@bp.route(route="api/conversations/{id}/unassign", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def unassign_conversation(req: func.HttpRequest) -> func.HttpResponse:
    scope = _scope(req)
    _optional_body(req, scope)
    return json_response(conversation_view(services().distribution.assignments.unassign(req.route_params["id"], scope)))


@bp.route(route="api/conversations/{id}/take-over", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def take_over_conversation(req: func.HttpRequest) -> func.HttpResponse:
    """A supervisor (or an admin) takes a conversation from its bot and holds it."""
    scope = _scope(req)
    _optional_body(req, scope)
    return json_response(conversation_view(services().distribution.assignments.take_over(req.route_params["id"], scope)))


def _sent(req: func.HttpRequest, message: Message) -> func.HttpResponse:
    """201 with the message; 202 when the provider has not taken it yet and the outbox
    queue owes its outcome (status ``retrying``, or ``sending`` when a retry of the request
    finds a try whose answer never came)."""
    return json_response(message_view(message, _api_base(req)), 202 if message.status in PENDING else 201)


@bp.route(route="api/conversations/{id}/messages", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
@idempotent
def reply_to_conversation(req: func.HttpRequest, key: str | None) -> func.HttpResponse:
    scope = _scope(req)
    body = require_object(json_body(req))
    reject_unknown(body, ("body", "agent", "media", "interactive"))
    _as_yourself(body, scope)
    media = parse_media(body["media"]) if "media" in body else ()
    offered = read_interactive(body["interactive"]) if "interactive" in body else None
    return _sent(req, services().messaging.outbox.reply(req.route_params["id"], body.get("body"), scope, public_base_url(req),
                                              media, key, offered))


@bp.route(route="api/conversations/{id}/template", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
@idempotent
def send_template(req: func.HttpRequest, key: str | None) -> func.HttpResponse:
    scope = _scope(req)
    body = require_object(json_body(req))
    reject_unknown(body, ("name", "language", "parameters", "agent"))
    _as_yourself(body, scope)
    return _sent(req, services().messaging.outbox.send_template(
        req.route_params["id"], text(body, "name", max_length=512), text(body, "language", required=False),
        body.get("parameters", []), scope, public_base_url(req), key,
    ))


@bp.route(route="api/conversations/{id}/messages/{message_id}/media/{index:int}", methods=["GET"],
          auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_media(req: func.HttpRequest) -> func.HttpResponse:
    params = req.route_params
    fetched = services().messaging.actions.media(params["id"], params["message_id"], int(params["index"]), _scope(req))
    # Checked again here: attachments stored before content types were checked at the edge.
    content_type = media_type(fetched.content_type) or UNKNOWN_MEDIA_TYPE
    return func.HttpResponse(b"".join(fetched.chunks), status_code=200, mimetype=content_type,
                             headers={**API_HEADERS, "Cache-Control": "private, no-store"})


@bp.route(route="api/conversations/{id}/seen", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def seen(req: func.HttpRequest) -> func.HttpResponse:
    """The caller opened the conversation: its customer messages are seen (unread 0)."""
    scope = _scope(req)
    _optional_body(req, scope)
    return json_response(conversation_view(services().messaging.actions.seen(req.route_params["id"], scope)))


@bp.route(route="api/conversations/{id}/wait", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def park_conversation(req: func.HttpRequest) -> func.HttpResponse:
    scope = _scope(req)
    _optional_body(req, scope)
    return json_response(conversation_view(services().messaging.actions.wait(req.route_params["id"], scope)))


@bp.route(route="api/conversations/{id}/close", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def close_conversation(req: func.HttpRequest) -> func.HttpResponse:
    scope = _scope(req)
    wrap = _optional_body(req, scope, ("disposition", "note"))
    closed = services().messaging.actions.close(req.route_params["id"], scope, public_base_url(req),
                                                wrap.get("disposition"), wrap.get("note"))
    return json_response(conversation_view(closed))

"""Agent API (signed in as an agent, supervisor or admin): what agents add to a
conversation beside its messages: an internal note, labels, and a reaction to a customer's
message, each within the caller's scope (conversations/access.py)."""

from __future__ import annotations

import azure.functions as func

from conversations.access import Scope
from conversations.admin.validation import reject_unknown, require_object
from core.identity import ADMIN, AGENT, SUPERVISOR
from core.status import PENDING
from functions.http import handled, json_body, json_response, public_base_url, services
from functions.identity import scope_of, signed_in
from functions.idempotent import idempotent
from functions.views import agent_reaction_view, conversation_view, label_view, message_view

bp = func.Blueprint()


def _scope(req: func.HttpRequest) -> Scope:
    return scope_of(req, ADMIN, SUPERVISOR, AGENT)


@bp.route(route="api/conversations/{id}/notes", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def add_note(req: func.HttpRequest) -> func.HttpResponse:
    """An internal note: kept in the conversation, never sent; @name tells that person."""
    scope, body = _scope(req), require_object(json_body(req))
    reject_unknown(body, ("body",))
    noted = services().messaging.notes.add(req.route_params["id"], body.get("body"), scope)
    return json_response({**message_view(noted.message),
                          "mentioned": [{"id": a.id, "name": a.name} for a in noted.mentioned]}, 201)


@bp.route(route="api/labels", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_labels(req: func.HttpRequest) -> func.HttpResponse:
    """The labels admins defined, for anyone signed in (whoever may put them on a
    conversation, and what a screen shows of them)."""
    signed_in(req)
    return json_response({"labels": [label_view(label) for label in services().admin.labels.list()]})


@bp.route(route="api/conversations/{id}/labels", methods=["PUT"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def label_conversation(req: func.HttpRequest) -> func.HttpResponse:
    """Give the conversation exactly these labels."""
    scope, body = _scope(req), require_object(json_body(req))
    reject_unknown(body, ("labels",))
    labelled = services().messaging.actions.label(req.route_params["id"], body.get("labels"), scope)
    return json_response(conversation_view(labelled))


@bp.route(route="api/conversations/{id}/messages/{message_id}/reaction", methods=["POST"],
          auth_level=func.AuthLevel.ANONYMOUS)
@handled
@idempotent
def react_to_message(req: func.HttpRequest, _key: str | None) -> func.HttpResponse:
    """An agent's reaction on a customer's message, sent once per message, emoji and the
    reaction before it (conversations/messaging/reacting.py), an Idempotency-Key or not."""
    body = require_object(json_body(req))
    reject_unknown(body, ("emoji",))
    params = req.route_params
    sent = services().messaging.reacting.react(params["id"], params["message_id"], body.get("emoji"), _scope(req),
                                               public_base_url(req))
    return json_response(agent_reaction_view(sent), 202 if sent.status in PENDING else 201)

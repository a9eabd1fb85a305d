"""Agent API (function key): list, read, accept, answer, park and close conversations."""

from __future__ import annotations

import re

import azure.functions as func

from conversations.policies import parse_media
from conversations.validation import reject_unknown, require_object, text
from conversations.workstream_settings import MAX_QUEUE_NAME
from core.errors import ValidationFailed
from core.ids import is_record_id
from core.media import UNKNOWN_MEDIA_TYPE, media_type
from core.records import STATES
from functions.http import handled, json_body, json_response, public_base_url, services
from functions.views import contact_view, conversation_view, message_view

bp = func.Blueprint()

MAX_LIMIT = 1000


def _api_base(req: func.HttpRequest) -> str:
    return public_base_url(req) + "/api"


@bp.route(route="api/conversations", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@handled
def list_conversations(req: func.HttpRequest) -> func.HttpResponse:
    state = req.params.get("state") or None
    if state is not None and state not in STATES:
        raise ValidationFailed("state", f"must be one of {', '.join(STATES)}")
    raw_limit = req.params.get("limit") or "100"
    if not re.fullmatch(r"[0-9]{1,4}", raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise ValidationFailed("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    filters = {name: req.params.get(name) or "" for name in ("workstream_id", "queue")}
    if filters["workstream_id"] and not is_record_id(filters["workstream_id"]):
        raise ValidationFailed("workstream_id", "must be a workstream id (32 hexadecimal characters)")
    if len(filters["queue"]) > MAX_QUEUE_NAME:
        raise ValidationFailed("queue", f"must be a queue name of at most {MAX_QUEUE_NAME} characters")
    found = services().actions.list({**filters, "state": state or ""}, int(raw_limit))
    return json_response({"conversations": [conversation_view(c) for c in found]})


@bp.route(route="api/conversations/{id}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@handled
def get_conversation(req: func.HttpRequest) -> func.HttpResponse:
    actions = services().actions
    conversation = actions.get(req.route_params["id"])
    view = conversation_view(conversation, with_messages=True, api_base=_api_base(req),
                             fetches_media=actions.fetches_media(conversation.provider))
    if conversation.contact_id:  # the contact as it is now, not as it was when linked
        contact = services().contact_admin.find_by_id(conversation.contact_id)
        view["contact"] = contact_view(contact) if contact else view["contact"]
    return json_response(view)


@bp.route(route="api/conversations/{id}/accept", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@handled
def accept_conversation(req: func.HttpRequest) -> func.HttpResponse:
    body = require_object(json_body(req))
    reject_unknown(body, ("agent",))
    conversation = services().actions.accept(req.route_params["id"], text(body, "agent"))
    return json_response(conversation_view(conversation))


@bp.route(route="api/conversations/{id}/messages", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@handled
def reply_to_conversation(req: func.HttpRequest) -> func.HttpResponse:
    body = require_object(json_body(req))
    reject_unknown(body, ("body", "agent", "media"))
    agent = text(body, "agent", required=False)
    media = parse_media(body["media"]) if "media" in body else ()
    message = services().outbox.reply(req.route_params["id"], body.get("body"), agent,
                                      public_base_url(req), media)
    return json_response(message_view(message, _api_base(req)), 201)


@bp.route(route="api/conversations/{id}/template", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@handled
def send_template(req: func.HttpRequest) -> func.HttpResponse:
    body = require_object(json_body(req))
    reject_unknown(body, ("name", "language", "parameters", "agent"))
    message = services().outbox.send_template(
        req.route_params["id"], text(body, "name", max_length=512), text(body, "language", required=False),
        body.get("parameters", []), text(body, "agent", required=False), public_base_url(req),
    )
    return json_response(message_view(message, _api_base(req)), 201)


@bp.route(route="api/conversations/{id}/messages/{message_id}/media/{index:int}", methods=["GET"],
          auth_level=func.AuthLevel.FUNCTION)
@handled
def get_media(req: func.HttpRequest) -> func.HttpResponse:
    params = req.route_params
    fetched = services().actions.media(params["id"], params["message_id"], int(params["index"]))
    # Checked again here: attachments stored before content types were checked at the edge.
    content_type = media_type(fetched.content_type) or UNKNOWN_MEDIA_TYPE
    return func.HttpResponse(b"".join(fetched.chunks), status_code=200, mimetype=content_type,
                             headers={"Cache-Control": "private, no-store"})


@bp.route(route="api/conversations/{id}/wait", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@handled
def park_conversation(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(conversation_view(services().actions.wait(req.route_params["id"])))


@bp.route(route="api/conversations/{id}/close", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@handled
def close_conversation(req: func.HttpRequest) -> func.HttpResponse:
    base_url = public_base_url(req)
    return json_response(conversation_view(services().actions.close(req.route_params["id"], base_url)))

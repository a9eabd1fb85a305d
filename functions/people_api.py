"""The caller (GET /api/me), its presence (PUT /api/me/presence) and its change feed
(GET /api/me/changes); and the agents directory (admin): people and applications by Entra
object id, the queues they work, the workstreams they supervise, their capacity."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import azure.functions as func

from conversations.admin.validation import reject_unknown, require_object
from core.agents import Agent, AgentState
from core.errors import ValidationFailed
from core.identity import ADMIN, AGENT, SUPERVISOR
from core.ids import is_record_id
from functions.audited import audited
from functions.http import handled, json_body, json_response, services
from functions.identity import scope_of, signed_in
from functions.views import (
    agent_view, answering_view, capacity_view, conversation_view, me_view, queue_view, work_view,
)

if TYPE_CHECKING:  # the feed, and the services it reads through, load with the first request
    from conversations.distribution.feed import Changes

bp = func.Blueprint()


def _me(principal: Any, agent: Agent) -> dict[str, Any]:
    presence = services().distribution.presence
    state = presence.heartbeat(principal.id)
    return me_view(principal, agent, state, presence.present(state))


@bp.route(route="api/me", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def me(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req)
    return json_response(_me(principal, services().admin.directory.seen(principal)))


@bp.route(route="api/me/presence", methods=["PUT"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def set_presence(req: func.HttpRequest) -> func.HttpResponse:
    scope = scope_of(req, ADMIN, SUPERVISOR, AGENT)
    body = require_object(json_body(req))
    reject_unknown(body, ("presence",))
    services().distribution.presence.set(scope, body.get("presence"))
    return json_response(_me(scope.principal, scope.agent))


@bp.route(route="api/me/changes", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
async def changes(req: func.HttpRequest) -> func.HttpResponse:
    """What changed in the caller's lists since ``since`` (a cursor of an earlier answer),
    held open up to ``wait`` seconds while nothing has, without holding a thread."""
    scope = await asyncio.to_thread(scope_of, req, ADMIN, SUPERVISOR, AGENT)
    raw_wait = req.params.get("wait") or "0"
    if not re.fullmatch(r"[0-9]{1,9}", raw_wait):  # the feed holds it to its longest wait
        raise ValidationFailed("wait", "must be a whole number of seconds")
    since = req.params.get("since") or None
    if since is not None and len(since) > 4096:
        raise ValidationFailed("since", "must be the cursor of an earlier answer")
    found = await services().distribution.feed.changes(scope, since, int(raw_wait))
    return json_response(await asyncio.to_thread(_changes_view, found, scope.agent),
                         headers={"Cache-Control": "no-store"})


def _changes_view(found: Changes, agent: Agent | None) -> dict[str, Any]:
    view: dict[str, Any] = {"cursor": found.cursor}
    if found.me is not None:
        view["me"] = {**work_view(found.me, services().distribution.presence.present(found.me)),
                      "capacity": capacity_view(agent) if agent else {}}
    for name in ("offers", "mine", "all"):
        if getattr(found, name) is not None:
            view[name] = [conversation_view(c) for c in getattr(found, name)]
    if found.queues:
        view["queues"] = [{**queue_view(ref), "conversations": [conversation_view(c) for c in page]}
                          for ref, page in found.queues]
    if found.workstreams:
        view["workstreams"] = [{"workstream_id": w, "conversations": [conversation_view(c) for c in page]}
                               for w, page in found.workstreams]
    return view


def _agents_view(agents: list[Agent]) -> dict[str, Any]:
    """Agents with their presence and load (one query of every agent's state)."""
    states = services().distribution.capacity.read_all()
    presence = services().distribution.presence
    views = []
    for a in agents:
        state = states[a.id][0] if a.id in states else AgentState(a.id)  # no row yet: offline, holding nothing
        views.append(agent_view(a, state, presence.present(state)))
    return {"agents": views}


@bp.route(route="api/admin/agents", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_agents(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response(_agents_view(services().admin.directory.list()))


def _workstream_id(req: func.HttpRequest) -> str:
    workstream_id = req.route_params["id"]
    if not is_record_id(workstream_id):
        raise ValidationFailed("id", "must be a workstream id (32 hexadecimal characters)")
    return workstream_id


@bp.route(route="api/workstreams/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def team_workstream(req: func.HttpRequest) -> func.HttpResponse:
    """A workstream as its team sees it: name, channel, queues, templates, quick replies
    (the workspace names workstreams and queues by it, and supervisors see their queues)."""
    scope = scope_of(req, ADMIN, SUPERVISOR, AGENT)
    workstream_id = _workstream_id(req)
    scope.check_team(workstream_id)
    return json_response(answering_view(services().admin.workstreams.get(workstream_id)))


@bp.route(route="api/workstreams/{id}/agents", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def workstream_agents(req: func.HttpRequest) -> func.HttpResponse:
    """The agents of a workstream's queues, with presence and load: for its supervisors
    (who assign), its agents (who transfer) and admins."""
    scope = scope_of(req, ADMIN, SUPERVISOR, AGENT)
    return json_response(_agents_view(services().admin.directory.of_workstream(_workstream_id(req), scope)))


@bp.route(route="api/admin/agents", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def add_agent(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    agent = services().admin.directory.create(body)
    audited(req, principal, "agent.create", agent.id, body)
    return json_response(agent_view(agent), 201)


@bp.route(route="api/admin/agents/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_agent(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    agent = services().admin.directory.get(req.route_params["id"])
    state = services().distribution.capacity.read(agent.id)
    return json_response(agent_view(agent, state, services().distribution.presence.present(state)))


@bp.route(route="api/admin/agents/{id}", methods=["PATCH"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def update_agent(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    agent = services().admin.directory.update(req.route_params["id"], body)
    audited(req, principal, "agent.update", agent.id, body)
    return json_response(agent_view(agent))


@bp.route(route="api/admin/agents/{id}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def remove_agent(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req, ADMIN)
    services().admin.directory.delete(req.route_params["id"])
    audited(req, principal, "agent.delete", req.route_params["id"])
    return func.HttpResponse(status_code=204)

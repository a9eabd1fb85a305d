"""Who the caller is (GET /api/me), and the agents directory (admin): people and
applications by Entra object id, the queues they work and the workstreams they supervise."""

from __future__ import annotations

import azure.functions as func

from core.identity import ADMIN
from functions.http import handled, json_body, json_response, services
from functions.identity import signed_in
from functions.views import agent_view, me_view

bp = func.Blueprint()


@bp.route(route="api/me", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def me(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req)
    return json_response(me_view(principal, services().directory.seen(principal)))


@bp.route(route="api/admin/agents", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_agents(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response({"agents": [agent_view(a) for a in services().directory.list()]})


@bp.route(route="api/admin/agents", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def add_agent(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response(agent_view(services().directory.create(json_body(req))), 201)


@bp.route(route="api/admin/agents/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_agent(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response(agent_view(services().directory.get(req.route_params["id"])))


@bp.route(route="api/admin/agents/{id}", methods=["PATCH"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def update_agent(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response(agent_view(services().directory.update(req.route_params["id"], json_body(req))))


@bp.route(route="api/admin/agents/{id}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def remove_agent(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    services().directory.delete(req.route_params["id"])
    return func.HttpResponse(status_code=204)

"""The customer beside a conversation (signed in as an agent, supervisor or admin): the
customer's other conversations, and the contact kept from the pane, both within the
caller's scope (conversations/access.py)."""

from __future__ import annotations

import azure.functions as func

from core.identity import ADMIN, AGENT, SUPERVISOR
from functions.audited import audited
from functions.http import handled, json_body, json_response, page_limit, services
from functions.identity import scope_of
from functions.views import contact_view, conversation_view

bp = func.Blueprint()

MAX_EARLIER = 20  # each is a point read: the pane shows the latest few


@bp.route(route="api/conversations/{id}/earlier", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def earlier_conversations(req: func.HttpRequest) -> func.HttpResponse:
    """The customer's other conversations, every number of its contact, both channels,
    newest first (conversations/distribution/customer_history.py)."""
    scope = scope_of(req, ADMIN, SUPERVISOR, AGENT)
    found = services().distribution.customer_history.earlier(req.route_params["id"], scope,
                                                             page_limit(req.params, 10, MAX_EARLIER))
    return json_response({"conversations": [conversation_view(c) for c in found]})


@bp.route(route="api/conversations/{id}/contact", methods=["PUT"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def save_customer_contact(req: func.HttpRequest) -> func.HttpResponse:
    """The customer's name and fields: on its contact, created for its number when none
    holds it (201), and the conversation linked to it; audited as an admin's change is."""
    scope, body = scope_of(req, ADMIN, SUPERVISOR, AGENT), json_body(req)
    contact, created = services().messaging.customer_contact.save(req.route_params["id"], body, scope)
    audited(req, scope.principal, "contact.create" if created else "contact.update", contact.id, body)
    return json_response(contact_view(contact), 201 if created else 200)

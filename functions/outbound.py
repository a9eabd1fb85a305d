"""POST /api/outbound (an admin, or a supervisor of the number's workstream): proactive messages to up to 100 customers, each
opening or reusing that customer's conversation, under every rule of a reply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import azure.functions as func

from conversations.admin.validation import reject_unknown, require_object, text
from core.errors import SwitchboardError, ValidationFailed
from core.identity import ADMIN, SUPERVISOR
from core.records import Account
from core.status import PENDING, RETRYING
from functions.http import handled, json_body, json_response, public_base_url, services
from functions.identity import scope_of
from functions.idempotent import idempotent

if TYPE_CHECKING:
    from conversations.access import Scope
    from conversations.messaging.outbox import Compose

bp = func.Blueprint()

MAX_RECIPIENTS = 100


@bp.route(route="api/outbound", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
@idempotent
def send_outbound(req: func.HttpRequest, key: str | None) -> func.HttpResponse:
    scope = scope_of(req, ADMIN, SUPERVISOR)
    body = require_object(json_body(req))
    reject_unknown(body, ("account_id", "from", "to", "body", "template", "language", "parameters"))
    account = _account(body.get("account_id"))
    business = services().phones.business_address(account, body.get("from"), "from")
    recipients = body.get("to")
    if not isinstance(recipients, list) or not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise ValidationFailed("to", f"must be a list of 1 to {MAX_RECIPIENTS} numbers")
    if ("body" in body) == ("template" in body):
        raise ValidationFailed("body", "send either body or template (with parameters), not both or neither")
    template = None
    if "template" in body:
        template = (text(body, "template", max_length=512), text(body, "language", required=False),
                    body.get("parameters", []))
    elif "parameters" in body or "language" in body:
        raise ValidationFailed("parameters", "parameters and language go with a template")
    compose = services().messaging.outbox.proactive_compose(account, business, body.get("body"), template, scope)
    base_url = public_base_url(req)
    seen: set[str] = set()
    results = [_send_one(account, business, to, compose, base_url, seen, scope, key) for to in recipients]
    status = 200 if all(r["status"] != "failed" for r in results) else 207
    return json_response({"results": results}, status)


def _send_one(account: Account, business: str, to: Any, compose: Compose, base_url: str,
              seen: set[str], scope: Scope, key: str | None) -> dict[str, Any]:
    try:
        customer = services().phones.entered(to, "to")
        if account.owns(customer):  # the number it sends from among them
            raise ValidationFailed("to", "is one of this account's own numbers, not a customer's")
        if customer in seen:
            raise ValidationFailed("to", "is listed twice; it was sent once")
        seen.add(customer)
        sent = services().messaging.outbox.send_proactive(account, business, customer, compose, base_url,
                                                author=scope.principal.actor, key=key)
    except SwitchboardError as exc:
        return {"to": to, "status": "failed", "error": {"code": exc.code, "message": exc.message}}
    return {"to": to, "status": RETRYING if sent.status in PENDING else "sent", "conversation_id": sent.conversation_id,
            "message_id": sent.id}


def _account(account_id: Any) -> Account:
    if not isinstance(account_id, str) or not account_id:
        raise ValidationFailed("account_id", "is required")
    account = services().stores.accounts.get(account_id)
    if account is None:
        raise ValidationFailed("account_id", f"no account {account_id}")
    return account

"""Customers' data: erasure (admin), the audit trail (admin, read only: no route changes
an entry), and exports: a conversation's transcript as JSON or CSV (admins, and agents
who took part in it), everything about one customer as JSON (admin)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import azure.functions as func

from core.custody import AuditEntry, ErasureJob
from core.errors import ValidationFailed
from core.identity import ADMIN, AGENT, SUPERVISOR
from core.records import Conversation
from functions.conversations_api import full_view
from functions.audited import audited
from functions.cells import safe_cell
from functions.http import API_HEADERS, handled, json_body, json_response, page_limit, services
from functions.identity import scope_of, signed_in
from functions.views import actor_view, contact_view, conversation_view

if TYPE_CHECKING:  # the exports, and what they read through, load with the first request
    from conversations.customer_data.exports import CustomerData

bp = func.Blueprint()

MAX_LIMIT = 200
MAX_TOKEN = 4096


def job_view(job: ErasureJob) -> dict[str, Any]:
    return {"id": job.id, "state": job.state, "erased": dict(sorted(job.erased.items())), "kept": dict(job.kept),
            "started_by": actor_view(job.started_by), "created_at": job.created_at.isoformat(),
            "updated_at": job.updated_at.isoformat()}


def entry_view(e: AuditEntry) -> dict[str, Any]:
    return {"id": e.id, "at": e.at.isoformat(), "actor": actor_view(e.actor), "client_ip": e.client_ip,
            "action": e.action, "target": e.target, "fields": list(e.fields)}


@bp.route(route="api/admin/erasures", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def erase_customer(req: func.HttpRequest) -> func.HttpResponse:
    """Erase a customer; the same request again finishes (or repeats) the same job."""
    principal, body = signed_in(req, ADMIN), json_body(req)
    job = services().customer_data.erasure.start(body, principal.actor)
    audited(req, principal, "erasure.run", job.id, body)
    return json_response(job_view(job))


@bp.route(route="api/admin/erasures/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_erasure(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response(job_view(services().customer_data.erasure.get(req.route_params["id"])))


@bp.route(route="api/admin/audit", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def audit_trail(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    limit, token = page_limit(req.params, 50, MAX_LIMIT), req.params.get("next") or None
    if token is not None and len(token) > MAX_TOKEN:
        raise ValidationFailed("next", "must be the next token of an earlier page")
    page = services().customer_data.audit.page(req.params, limit, token)
    return json_response({"entries": [entry_view(e) for e in page.entries], "next": page.next},
                         headers={"Cache-Control": "no-store"})


@bp.route(route="api/admin/customers/export", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def export_customer(req: func.HttpRequest) -> func.HttpResponse:
    """Everything stored about one customer (a subject-access request), as one JSON
    document. A POST, so the number travels in the body, never in a URL that logs keep."""
    principal, body = signed_in(req, ADMIN), json_body(req)
    found = services().customer_data.exports.customer(body)
    # Who read a customer's data, and when: the subject by its id (keyed), never the number.
    audited(req, principal, "customer.export", found.subject_id, body)
    return json_response(_customer_view(found), headers=_download("customer", "json"))


@bp.route(route="api/conversations/{id}/export", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def export_conversation(req: func.HttpRequest) -> func.HttpResponse:
    fmt = req.params.get("format") or "json"
    if fmt not in ("json", "csv"):
        raise ValidationFailed("format", "must be json or csv")
    scope = scope_of(req, ADMIN, SUPERVISOR, AGENT)
    conversation = services().customer_data.exports.transcript(req.route_params["id"], scope)
    audited(req, scope.principal, "conversation.export", conversation.id)
    headers = _download(f"conversation-{conversation.id}", fmt)
    if fmt == "json":
        return json_response(full_view(req, conversation), headers=headers)
    return func.HttpResponse(_csv(conversation), status_code=200, mimetype="text/csv", charset="utf-8",
                             headers={**API_HEADERS, **headers})


def _download(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "no-store"}


def _customer_view(found: CustomerData) -> dict[str, Any]:
    return {"subject": {"address": found.subject.address, "account_id": found.subject.account_id, "id": found.subject_id},
            "contact": contact_view(found.contact) if found.contact else None,
            "opted_out_on": found.opted_out_on,
            "conversations": [conversation_view(c, with_messages=True) for c in found.conversations]}


def _csv(c: Conversation) -> str:
    """One row per message, oldest first; cells a spreadsheet would take for a formula are
    quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["seq", "created_at", "direction", "from", "status", "body", "media", "keyword", "automated"])
    for m in c.messages:
        sender = m.agent.name if m.agent else ("switchboard" if m.automated else
                                               c.customer if m.direction == "inbound" else "")
        cells = [m.seq, m.created_at.isoformat(), m.direction, sender, m.status, m.body,
                 " ".join(x.url for x in m.media if x.url), m.keyword or "", m.automated or ""]
        writer.writerow([safe_cell(str(v)) for v in cells])
    return out.getvalue()

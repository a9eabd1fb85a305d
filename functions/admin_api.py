"""Admin API (signed in with the Switchboard.Admin role): messaging accounts (and their
templates synced from the provider), workstreams, contacts, the skills catalogue, the labels and
the rate table that prices WhatsApp messages. Every change is recorded in the audit trail (functions/audited.py)."""

from __future__ import annotations

import azure.functions as func

from core.identity import ADMIN
from core.records import Account
from functions.audited import audited
from functions.http import handled, json_body, json_response, public_base_url, services
from functions.identity import signed_in
from functions.views import account_view, contact_view, label_view, skill_view, workstream_view

bp = func.Blueprint()


def _account_view(req: func.HttpRequest, account: Account) -> dict:
    return account_view(account, public_base_url(req), services().providers[account.provider])


@bp.route(route="api/admin/accounts", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def create_account(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    account = services().admin.accounts.create(body)
    audited(req, principal, "account.create", account.id, body)
    return json_response(_account_view(req, account), 201)


@bp.route(route="api/admin/accounts", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_accounts(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response({"accounts": [_account_view(req, a) for a in services().admin.accounts.list()]})


@bp.route(route="api/admin/accounts/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_account(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response(_account_view(req, services().admin.accounts.get(req.route_params["id"])))


@bp.route(route="api/admin/accounts/{id}", methods=["PATCH"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def update_account(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    account = services().admin.accounts.update(req.route_params["id"], body)
    audited(req, principal, "account.update", account.id, body)
    return json_response(_account_view(req, account))


@bp.route(route="api/admin/accounts/{id}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def delete_account(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req, ADMIN)
    services().admin.accounts.delete(req.route_params["id"])
    audited(req, principal, "account.delete", req.route_params["id"])
    return func.HttpResponse(status_code=204)


@bp.route(route="api/admin/accounts/{id}/validate", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def validate_account(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    validation = services().admin.accounts.validate(req.route_params["id"])
    return json_response({"valid": validation.valid, "detail": validation.detail})


@bp.route(route="api/admin/accounts/{id}/templates", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_account_templates(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    found = services().admin.templates.catalogue(req.route_params["id"])
    return json_response({"templates": [t.to_dict() for t in found]})


@bp.route(route="api/admin/accounts/{id}/templates/sync", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def sync_account_templates(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req, ADMIN)
    result = services().admin.templates.sync(req.route_params["id"], principal.actor)
    audited(req, principal, "account.templates.sync", req.route_params["id"])
    return json_response(result.to_dict())


@bp.route(route="api/admin/rates", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_rates(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    table = services().admin.rates.get()
    return json_response(table.to_dict() if table else {"currency": None, "rates": []})


@bp.route(route="api/admin/rates", methods=["PUT"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def put_rates(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    table = services().admin.rates.put(body)
    audited(req, principal, "rates.update", "rates", body)
    return json_response(table.to_dict())


@bp.route(route="api/admin/workstreams", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def create_workstream(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    workstream = services().admin.workstreams.create(body)
    audited(req, principal, "workstream.create", workstream.id, body)
    return json_response(workstream_view(workstream), 201)


@bp.route(route="api/admin/workstreams", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_workstreams(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response({"workstreams": [workstream_view(w) for w in services().admin.workstreams.list()]})


@bp.route(route="api/admin/workstreams/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_workstream(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response(workstream_view(services().admin.workstreams.get(req.route_params["id"])))


@bp.route(route="api/admin/workstreams/{id}", methods=["PATCH"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def update_workstream(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    workstream = services().admin.workstreams.update(req.route_params["id"], body)
    audited(req, principal, "workstream.update", workstream.id, body)
    return json_response(workstream_view(workstream))


@bp.route(route="api/admin/workstreams/{id}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def delete_workstream(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req, ADMIN)
    services().admin.workstreams.delete(req.route_params["id"])
    audited(req, principal, "workstream.delete", req.route_params["id"])
    return func.HttpResponse(status_code=204)


@bp.route(route="api/admin/contacts", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def create_contact(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    contact = services().admin.contacts.create(body)
    audited(req, principal, "contact.create", contact.id, body)
    return json_response(contact_view(contact), 201)


@bp.route(route="api/admin/contacts", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_contacts(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    found = services().admin.contacts.find(req.params.get("mobile_phone"))
    return json_response({"contacts": [contact_view(c) for c in found]})


@bp.route(route="api/admin/contacts/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_contact(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response(contact_view(services().admin.contacts.get(req.route_params["id"])))


@bp.route(route="api/admin/contacts/{id}", methods=["PATCH"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def update_contact(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    contact = services().admin.contacts.update(req.route_params["id"], body)
    audited(req, principal, "contact.update", contact.id, body)
    return json_response(contact_view(contact))


@bp.route(route="api/admin/contacts/{id}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def delete_contact(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req, ADMIN)
    services().admin.contacts.delete(req.route_params["id"])
    audited(req, principal, "contact.delete", req.route_params["id"])
    return func.HttpResponse(status_code=204)


@bp.route(route="api/admin/skills", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_skills(req: func.HttpRequest) -> func.HttpResponse:
    signed_in(req, ADMIN)
    return json_response({"skills": [skill_view(s) for s in services().admin.skills.list()]})


@bp.route(route="api/admin/skills", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def create_skill(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    skill = services().admin.skills.create(body)
    audited(req, principal, "skill.create", skill.id, body)
    return json_response(skill_view(skill), 201)


@bp.route(route="api/admin/skills/{name}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def delete_skill(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req, ADMIN)
    audited(req, principal, "skill.delete", services().admin.skills.delete(req.route_params["name"]))
    return func.HttpResponse(status_code=204)


@bp.route(route="api/admin/labels", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def create_label(req: func.HttpRequest) -> func.HttpResponse:
    principal, body = signed_in(req, ADMIN), json_body(req)
    label = services().admin.labels.create(body)
    audited(req, principal, "label.create", label.id, body)
    return json_response(label_view(label), 201)


@bp.route(route="api/admin/labels/{name}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def delete_label(req: func.HttpRequest) -> func.HttpResponse:
    principal = signed_in(req, ADMIN)
    audited(req, principal, "label.delete", services().admin.labels.delete(req.route_params["name"]))
    return func.HttpResponse(status_code=204)

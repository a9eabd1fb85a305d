"""Recording admin changes in the audit trail (conversations/customer_data/audit.py): the principal,
the client's address as the Functions host sees it, the action, its target and the field
names the request set."""

from __future__ import annotations

from typing import Any

import azure.functions as func

from core.identity import Principal
from functions.http import services

MAX_ADDRESS = 64


def client_ip(req: func.HttpRequest) -> str:
    """The caller's address: the last hop of X-Forwarded-For, which App Service's front end
    appends (earlier entries are whatever the client sent), without its port."""
    hops = [h.strip() for h in (req.headers.get("X-Forwarded-For") or "").split(",") if h.strip()]
    if not hops:
        return ""
    last = hops[-1]
    if last.startswith("["):  # [IPv6]:port
        last = last[1:].split("]", 1)[0]
    elif last.count(":") == 1:  # IPv4:port
        last = last.split(":", 1)[0]
    return last[:MAX_ADDRESS]


def audited(req: func.HttpRequest, principal: Principal, action: str, target: str, body: Any = None) -> None:
    services().customer_data.audit.record(principal, client_ip(req), action, target, body)

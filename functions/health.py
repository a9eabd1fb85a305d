"""GET /api/health: 200 when storage answers, 503 otherwise (for probes and make run)."""

from __future__ import annotations

import logging

import azure.functions as func

from core.errors import SwitchboardError
from functions.http import json_response, services

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.route(route="api/health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    try:
        services().storage.ping()
    except SwitchboardError as exc:
        log.warning("health check failed: %s", exc.code)
        return json_response({"status": "unavailable", "reason": exc.code}, 503)
    return json_response({"status": "ok"})

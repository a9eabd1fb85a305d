"""GET /api/health (or HEAD, as some uptime probes ask): each dependency the app needs
(tables, the outbox's queue service) and whether it answers; 200 when all do, 503 naming
those that do not (for probes and make run). Both are asked at once (each in the
request's trace context), each given PING_SECONDS to connect and as long to answer, with no
second try: a dependency that hangs is named within seconds, while the probe still waits."""

from __future__ import annotations

import contextvars
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import azure.functions as func

from core.errors import SwitchboardError
from functions.http import json_response, services

bp = func.Blueprint()
log = logging.getLogger(__name__)

PING_SECONDS = 5.0


@bp.route(route="api/health", methods=["GET", "HEAD"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    app = services()
    checks: dict[str, Callable[[float], None]] = {"tables": app.stores.storage.ping, "queue": app.stores.queue.ping}
    with ThreadPoolExecutor(len(checks)) as pool:
        asked = [pool.submit(contextvars.copy_context().run, _check, name, ping) for name, ping in checks.items()]
        found = dict(zip(checks, (check.result() for check in asked)))
    down = sorted(name for name, state in found.items() if state != "ok")
    if down:
        return json_response({"status": "unavailable", "reason": f"{', '.join(down)} unavailable",
                              "dependencies": found}, 503)
    return json_response({"status": "ok", "dependencies": found})


def _check(name: str, ping: Callable[[float], None]) -> str:
    try:
        ping(PING_SECONDS)
    except SwitchboardError as exc:
        log.warning("health check: %s unavailable (%s)", name, exc.code)
        return exc.code
    return "ok"

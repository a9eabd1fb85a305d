"""GET|HEAD / and every path outside api/: the pages and assets of web/dist (functions/static_site.py).

One catch-all function serves them all, so a later single-page app needs no new route.
`/api` itself redirects to the web app, and a path under api/ that no API function
took answers the API's JSON 405 naming the methods it has (a GET or HEAD of an operation
or a webhook that takes another method), or 404, never a page.
"""

from __future__ import annotations

import functools
import logging
import os

import azure.functions as func

from functions.http import error_response
from functions.openapi import methods_at
from functions.settings import RealtimeSettings
from functions.static_site import SiteNotBuilt, StaticFile, find, security_headers

bp = func.Blueprint()
log = logging.getLogger(__name__)

API = "api"


# Azure tries HTTP routes in the order of their functions' names (ordinal, ignoring case)
# and calls the first whose template and method match: this catch-all must come after every
# API function, hence a name that sorts last (tests/unit/test_route_order.py keeps it so).
@bp.function_name("zz_web")
@bp.route(route="{*path}", methods=["GET", "HEAD"], auth_level=func.AuthLevel.ANONYMOUS)
def web(req: func.HttpRequest) -> func.HttpResponse:
    path = (req.route_params.get("path") or "").strip("/")
    if path.lower() == API:
        return func.HttpResponse(status_code=302, headers={"Location": "/", "Cache-Control": "no-cache",
                                                           **security_headers()})
    if path.lower().startswith(f"{API}/"):
        return _not_an_operation(req, path)
    try:
        static = find(path)
    except SiteNotBuilt as exc:
        log.error("%s", exc)
        return error_response(503, "web_not_built", "the web pages were not built with the app",
                              headers=security_headers())
    if static is None:
        return error_response(404, "not_found", f"nothing at /{path}", headers=security_headers())
    return _answer(req, static)


def _not_an_operation(req: func.HttpRequest, path: str) -> func.HttpResponse:
    """What a GET or HEAD under api/ that no API function took is answered (with the
    API's headers)."""
    allowed = methods_at(f"/{path}")
    if not allowed or req.method in allowed:  # its function's route constraint refused the path
        return error_response(404, "not_found", f"no API operation at /{path}")
    allow = ", ".join(sorted(allowed))
    return error_response(405, "method_not_allowed", f"{req.method} is not allowed on /{path}; allowed: {allow}",
                          headers={"Allow": allow})


def _answer(req: func.HttpRequest, static: StaticFile) -> func.HttpResponse:
    """The file, or 304 when the browser's copy (If-None-Match) is this one."""
    headers = {**static.headers, "Content-Security-Policy": _with_live(static.headers["Content-Security-Policy"])}
    known = {tag.strip().removeprefix("W/") for tag in req.headers.get("if-none-match", "").split(",")}
    if static.etag in known:
        return func.HttpResponse(status_code=304, headers=headers)
    return func.HttpResponse(static.body, status_code=200, headers=headers)


@functools.cache
def _live_origin() -> str | None:
    """The WebSocket origin of Web PubSub when it is configured (pages may connect there)."""
    url = RealtimeSettings.from_env(os.environ).service_url
    return ("ws" + url.removeprefix("http")) if url else None


def _with_live(policy: str) -> str:
    origin = _live_origin()
    return f"{policy}; connect-src 'self' {origin}" if origin else policy

"""GET /api/openapi.json (anonymous): the OpenAPI 3.1 document of the admin, agent and
outbound API, kept beside this module and checked against real traffic by the tests; and
which methods the API takes at a path (``methods_at``: the document's operations and the
provider webhooks, which it leaves out), for the answer to another method."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import azure.functions as func

from core.webhooks import METHODS, ROUTES
from functions.http import API_HEADERS

bp = func.Blueprint()

DOCUMENT = Path(__file__).with_name("openapi.json")


@bp.route(route="api/openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(DOCUMENT.read_bytes(), status_code=200, mimetype="application/json", charset="utf-8",
                             headers=API_HEADERS)


def methods_at(path: str) -> frozenset[str]:
    """The methods the API takes at ``path`` (``/api/...``, any case, as Azure routes)."""
    return frozenset(method for template, methods in _operations() if template.fullmatch(path) for method in methods)


@functools.cache
def _operations() -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    document = json.loads(DOCUMENT.read_text())
    base = document["servers"][0]["url"]
    documented = [(base + template, frozenset(method.upper() for method in item if method != "parameters"))
                  for template, item in document["paths"].items()]
    webhooks = [("/" + route, frozenset(METHODS[name])) for name, route in ROUTES.items()]
    return tuple((re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)), re.IGNORECASE), methods)
                 for template, methods in documented + webhooks)

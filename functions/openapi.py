"""GET /api/openapi.json (anonymous): the OpenAPI 3.1 document of the admin, agent and
outbound API, kept beside this module and checked against real traffic by the tests."""

from __future__ import annotations

from pathlib import Path

import azure.functions as func

from functions.http import API_HEADERS

bp = func.Blueprint()

DOCUMENT = Path(__file__).with_name("openapi.json")


@bp.route(route="api/openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(DOCUMENT.read_bytes(), status_code=200, mimetype="application/json", charset="utf-8",
                             headers=API_HEADERS)

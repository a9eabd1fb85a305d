"""Checks HTTP traffic against the repo's OpenAPI document (functions/openapi.json)."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

DOCUMENT = Path(__file__).resolve().parents[2] / "functions" / "openapi.json"
_SPEC = OpenAPI.from_dict(json.loads(DOCUMENT.read_text()))
_DOCUMENTED_PREFIXES = ("/api/admin/", "/api/conversations", "/api/outbound", "/api/health", "/api/openapi.json",
                        "/api/me", "/api/workstreams/", "/api/bots/", "/api/realtime/", "/api/reports/", "/api/labels")


def documented(path: str) -> bool:
    return path.startswith(_DOCUMENTED_PREFIXES)


def check(response: requests.Response) -> None:
    """Raise when the request or its answer is not what the document says."""
    request = RequestsOpenAPIRequest(response.request)
    if response.status_code < 400:  # tests send wrong requests on purpose; their answers still count
        _SPEC.validate_request(request)
    _SPEC.validate_response(request, RequestsOpenAPIResponse(response))

"""The edge's shared HTTP helpers: JSON answers, one error mapping, request origins."""

from __future__ import annotations

import functools
import inspect
import json
import logging
import re
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import urlsplit

import azure.functions as func

from core.errors import BadRequest, ProviderError, SwitchboardError, ValidationFailed
from core.json_body import parse_json
from functions import tracing

log = logging.getLogger(__name__)

Handler = Callable[[func.HttpRequest], func.HttpResponse]

if TYPE_CHECKING:
    from functions.wiring import Services


def services() -> Services:
    """The process's wired services, built on first use. The wiring, and the domain,
    storage and provider code behind it, is imported then: indexing the app (a cold start
    on Flex Consumption) imports only the functions and what their signatures need."""
    from functions import wiring

    return wiring.services()


# Every API answer: nothing in it may run, load or be framed, and browsers take its
# Content-Type as given. `headers` may replace them (the pages' own policy, functions/web.py).
API_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, mimetype="application/json",
                             charset="utf-8", headers={**API_HEADERS, **(headers or {})})


def error_response(status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
                   **extra: Any) -> func.HttpResponse:
    return json_response({"error": {"code": code, "message": message, **extra}}, status, headers)


def handled(handler: Handler) -> Handler:
    """Answer domain errors as ``{"error": {...}}`` and anything unexpected as a bare 500,
    for a plain handler and an ``async def`` one alike, each call in its span
    (functions/tracing.py).

    The traceback goes to the log only; no response ever carries one.
    """
    return _answering(handler, None)


def webhook(provider: str) -> Callable[[Handler], Handler]:
    """``handled``, for a provider's webhook: its span names the provider, and its latency
    is recorded."""
    return lambda handler: _answering(handler, provider)


def _answering(handler: Handler, provider: str | None) -> Handler:
    if inspect.iscoroutinefunction(handler):
        @functools.wraps(handler)
        async def waiting(req: func.HttpRequest) -> func.HttpResponse:
            with tracing.request(handler.__name__, req, provider) as answered:
                try:
                    return answered(await handler(req))
                except Exception as exc:  # noqa: BLE001 - the edge is where the unexpected must stop
                    return answered(error_answer(req, exc))

        return waiting  # type: ignore[return-value]

    @functools.wraps(handler)
    def wrapper(req: func.HttpRequest) -> func.HttpResponse:
        with tracing.request(handler.__name__, req, provider) as answered:
            try:
                return answered(handler(req))
            except Exception as exc:  # noqa: BLE001 - the edge is where the unexpected must stop
                return answered(error_answer(req, exc))

    return wrapper


def error_answer(req: func.HttpRequest, exc: Exception) -> func.HttpResponse:
    """The answer an exception gets: domain errors as ``{"error": {...}}``, others 500."""
    if isinstance(exc, ProviderError):
        extra = {"provider_code": exc.provider_code} if exc.provider_code else {}
        return error_response(exc.status, exc.code, exc.message, **extra)
    if isinstance(exc, SwitchboardError):
        if exc.status >= 500:
            log.warning("%s %s: %s", req.method, urlsplit(req.url).path, exc.code)
        extra = {"field": exc.field} if hasattr(exc, "field") else {}
        return error_response(exc.status, exc.code, exc.message, **extra)
    log.error("unhandled error in %s %s", req.method, urlsplit(req.url).path, exc_info=exc)
    return error_response(500, "internal_error", "internal error")


def page_limit(params: Mapping[str, str], default: int, maximum: int) -> int:
    """A list's ``limit`` parameter: a whole number from 1 to ``maximum`` (``default`` without one)."""
    raw = params.get("limit") or str(default)
    if not re.fullmatch(f"[0-9]{{1,{len(str(maximum))}}}", raw) or not 1 <= int(raw) <= maximum:
        raise ValidationFailed("limit", f"must be a whole number from 1 to {maximum}")
    return int(raw)


def json_body(req: func.HttpRequest) -> Any:
    raw = req.get_body()
    if not raw:
        raise BadRequest("a JSON body is required")
    return parse_json(raw, "the request body")


def origin(req: func.HttpRequest) -> str:
    parts = urlsplit(req.url)
    return f"{parts.scheme}://{parts.netloc}"


def public_base_url(req: func.HttpRequest) -> str:
    """Where providers reach us: PUBLIC_BASE_URL, else the origin this request came to."""
    return services().settings.public_base_url or origin(req)


def public_url(req: func.HttpRequest) -> str:
    """The full URL a provider called (and signed): public base + this request's path and query."""
    parts = urlsplit(req.url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{public_base_url(req)}{parts.path}{query}"

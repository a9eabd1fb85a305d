"""Domain errors: each carries the HTTP status and the machine code the API answers with.

One mapping at the edge (functions/http.py) turns them into
``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations


class SwitchboardError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class BadRequest(SwitchboardError):
    status = 400
    code = "bad_request"


class ValidationFailed(SwitchboardError):
    """A field has a wrong value; ``field`` names it (dotted path)."""

    status = 422
    code = "validation_failed"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class Unauthorized(SwitchboardError):
    status = 401
    code = "unauthorized"


class Forbidden(SwitchboardError):
    status = 403
    code = "forbidden"


class NotFound(SwitchboardError):
    status = 404
    code = "not_found"


class Conflict(SwitchboardError):
    status = 409
    code = "conflict"


class AtCapacity(Conflict):
    """The agent has no free capacity for the conversation's channel."""

    code = "agent_at_capacity"


class RecipientOptedOut(Conflict):
    """The customer opted out on this business number: nothing may be sent to them."""

    code = "recipient_opted_out"


class ProviderError(SwitchboardError):
    """The provider refused or failed a call; ``provider_code`` is the provider's own code."""

    status = 502
    code = "provider_error"

    def __init__(self, message: str, *, provider_code: str | None = None, http_status: int | None = None) -> None:
        super().__init__(message)
        self.provider_code = provider_code
        self.http_status = http_status


class ProviderUnreachable(ProviderError):
    code = "provider_unreachable"


class ProviderRecipientOptedOut(ProviderError):
    """The provider refused a send because the recipient opted out (Twilio error 21610)."""

    status = 409
    code = "recipient_opted_out"


class ProviderOutsideWindow(ProviderError):
    """The provider refused a free-form WhatsApp message outside the 24-hour window (Twilio error 63016)."""

    status = 409
    code = "outside_whatsapp_window"


class StorageUnavailable(SwitchboardError):
    """Storage failed in a way that may pass: callers answer 503 so providers retry."""

    status = 503
    code = "storage_unavailable"


class ConfigurationError(SwitchboardError):
    """The deployment (or one account) lacks a setting it needs: unavailable until an
    operator sets it, so 503 rather than a 500."""

    status = 503
    code = "configuration_error"

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


_TRANSIENT_HTTP = frozenset({408, 429, 500, 502, 503, 504})


class ProviderError(SwitchboardError):
    """The provider refused or failed a call; ``provider_code`` is the provider's own code,
    ``retry_after`` the seconds its Retry-After asked for."""

    status = 502
    code = "provider_error"

    def __init__(self, message: str, *, provider_code: str | None = None, http_status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.provider_code = provider_code
        self.http_status = http_status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """Worth trying again later: the provider was busy or failing (429, 5xx, timeouts)."""
        return self.http_status in _TRANSIENT_HTTP

    @property
    def outcome_unknown(self) -> bool:
        """The request may have reached the provider: it may have sent the message."""
        return False


class ProviderUnreachable(ProviderError):
    """No answer: the request did not get through (``sent`` False), or its answer did not
    come back (``sent`` True: the provider may have acted on it)."""

    code = "provider_unreachable"

    def __init__(self, message: str, *, sent: bool = False) -> None:
        super().__init__(message)
        self.sent = sent

    @property
    def transient(self) -> bool:
        return True

    @property
    def outcome_unknown(self) -> bool:
        return self.sent


class ProviderRepeatExpired(ProviderError):
    """A provider that dedupes repeated requests refused a repeat whose first try it no
    longer remembers (ACS: 412 after 5 minutes): the next try starts anew."""

    @property
    def transient(self) -> bool:
        return True


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


class CommitPending(SwitchboardError):
    """A move's job came due while its commit may still land (conversations/messaging/
    writer.py): the job stays, and the timer finishes it once the commit landed or could
    no longer land."""

    status = 503
    code = "commit_pending"


class ThreadDeleted(StorageUnavailable):
    """A commit found its thread's head deleted since it read it (retention, an erasure):
    the same request again, once the deletion finished, finds the conversation gone."""


class RealtimeUnavailable(SwitchboardError):
    """The real-time service (Web PubSub) could not be reached or refused: live updates
    wait for the workspace's next re-sync; nothing else fails for it."""

    status = 503
    code = "realtime_unavailable"


class ConfigurationError(SwitchboardError):
    """The deployment (or one account) lacks a setting it needs: unavailable until an
    operator sets it, so 503 rather than a 500."""

    status = 503
    code = "configuration_error"

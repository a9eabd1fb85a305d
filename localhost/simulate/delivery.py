"""What a simulated provider call is made of, and the few rules every provider shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import requests

from core.records import Account

DEFAULT_CUSTOMER = "+12065550100"  # a number reserved for fiction (NANP 555-01xx)
DEFAULT_BODY = "Hi! Where is my order?"
TIMEOUT = 30.0


class SimulationError(Exception):
    """Something the user asked for cannot be simulated; the message says what to change."""


@dataclass(frozen=True)
class Options:
    """What the user asked for; None means the provider's default (see each builder)."""

    from_: str | None = None
    to: str | None = None
    body: str = DEFAULT_BODY
    media_urls: tuple[str, ...] = ()
    media_type: str = "image/jpeg"
    id: str | None = None
    message_id: str | None = None
    status: str = "delivered"
    error_code: str | None = None
    cloudevents: bool = False


# Reads the answer; a reason when it shows the app did not take the call although it answered 2xx.
Verdict = Callable[[requests.Response], str | None]


@dataclass(frozen=True)
class Delivery:
    """One HTTP request as the provider would make it, and the ids worth following up on."""

    what: str
    path: str
    body: bytes
    headers: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)
    method: str = "POST"
    verdict: Verdict | None = None
    shown: tuple[str, ...] = ()  # headers of the answer worth showing (a handshake's)

    def send(self, base_url: str) -> requests.Response:
        try:
            return requests.request(self.method, base_url + self.path, data=self.body, headers=self.headers,
                                    timeout=TIMEOUT)
        except requests.ConnectionError as exc:
            raise SimulationError(f"nothing answers at {base_url}: is `make run` running "
                                  "(or give --url)?") from exc


def business_address(account: Account, given: str | None) -> str:
    """The business side: what the user gave, else the account's first number or channel."""
    if given:
        return given
    addresses = account.addresses()
    if not addresses:
        raise SimulationError(f"account {account.id} has no numbers or channels; give one with --to/--from")
    return addresses[0]


def digits(number: str) -> str:
    """A number as providers that drop the "+" send it (TeleSign, ACS)."""
    return number[1:] if number.startswith("+") else number


def plus(number: str) -> str:
    """A number in E.164 with "+", however the user typed it."""
    return number if number.startswith("+") or not number.isdigit() else "+" + number


def timestamp() -> str:
    """Now, as providers stamp their payloads (UTC, ISO 8601 with Z)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def refuse_media(options: Options, provider: str) -> None:
    if options.media_urls:
        raise SimulationError(f"{provider} messages name no media URLs; --media-url is for Twilio accounts")

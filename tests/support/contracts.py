"""The providers' published API contracts kept in tests/contracts/ (see its README), as
Prism serves them."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Iterator

from localhost.services import Prism
from tests.support.recorder import Recorder, forward_to, serve

CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"

TWILIO = CONTRACTS / "twilio_api_v2010.json"
TWILIO_CONTENT = CONTRACTS / "twilio_content_v1.json"  # the Content API: templates and their WhatsApp approval
ACS_SMS = CONTRACTS / "acs_sms_2021-03-07.json"
_ACS_MESSAGES = CONTRACTS / "acs_messages_2024-08-30.json"
_ACS_REACTIONS = CONTRACTS / "acs_messages_2024-11-15-preview.json"  # the first to publish a reaction
_ACS_READ_RECEIPTS = CONTRACTS / "acs_messages_2025-09-01-preview.json"  # the first to publish a read receipt
_FIRST_SENT = "Azure.Core.RepeatabilityRequestHeaders.repeatabilityFirstSent"


@cache
def acs_messages() -> Path:
    """The ACS Messages spec with its one known error mended: the SDK and the service send
    Repeatability-First-Sent as RFC 1123, the spec says RFC 3339 (so Prism would refuse every
    send). The copy lives in a temporary folder, beside copies of the examples it $refs."""
    return _mended(_ACS_MESSAGES, keep_examples=True)


@cache
def acs_messages_reactions() -> Path:
    """Messages API 2024-11-15-preview, mended the same way; its x-ms-examples (documentation
    Prism does not check against, of eleven files) are left out rather than kept."""
    return _mended(_ACS_REACTIONS, keep_examples=False)


@cache
def acs_messages_read_receipts() -> Path:
    """Messages API 2025-09-01-preview (POST /messages/readreceipts:send), mended the same
    way, its x-ms-examples left out likewise."""
    return _mended(_ACS_READ_RECEIPTS, keep_examples=False)


def _mended(published: Path, keep_examples: bool) -> Path:
    spec = json.loads(published.read_text())
    header = spec["parameters"][_FIRST_SENT]
    assert header["format"] == "date-time", "the published spec changed; see tests/contracts/README.md"
    header["format"] = "date-time-rfc1123"  # unknown to Prism, so the header goes unchecked
    folder = Path(tempfile.mkdtemp(prefix="switchboard-contracts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if keep_examples:
        shutil.copytree(CONTRACTS / "examples", folder / "examples")
    else:
        for operations in spec["paths"].values():
            for operation in operations.values():
                operation.pop("x-ms-examples", None)
    derived = folder / published.name
    derived.write_text(json.dumps(spec))
    return derived


def recorded_prism(spec: Path) -> Iterator[Recorder]:
    """Prism serving a provider's contract, behind a recorder that keeps what was sent to it
    (for a fixture: ``yield from recorded_prism(...)``)."""
    with Prism.start(spec) as prism:
        recorder = Recorder()
        recorder.on("POST", r"/.*", forward_to(prism.base_url))
        recorder.on("GET", r"/.*", forward_to(prism.base_url))
        server = serve(recorder)
        try:
            yield recorder
        finally:
            server.shutdown()

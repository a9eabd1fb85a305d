"""`python -m localhost.simulate message|status|handshake --account <id> [options]`.

The provider is the account's: a Twilio account gets Twilio's webhooks, a TeleSign account
TeleSign's callbacks, an ACS account Event Grid deliveries. Prints what it sent, the ids it
used (to follow up with a status for a reply's provider id), and the app's answer; the exit
code is 0 only when the app took the call. Secrets, signatures and tokens are never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence

import requests

from localhost.simulate import acs, telesign, twilio
from localhost.simulate.delivery import DEFAULT_BODY, DEFAULT_CUSTOMER, Delivery, Options, SimulationError
from localhost.simulate.target import Target, find

Builder = Callable[[Target, Options], Delivery]
BUILDERS: dict[str, dict[str, Builder]] = {
    "twilio": {"message": twilio.message, "status": twilio.status},
    "telesign": {"message": telesign.message, "status": telesign.status},
    "acs": {"message": acs.message, "status": acs.status, "handshake": acs.handshake},
}
ANSWER_LIMIT = 2000  # characters of the app's answer shown
OPTION_NAMES = ("from_", "to", "body", "media_type", "id", "message_id", "status", "error_code", "cloudevents")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--account", required=True, help="the Switchboard account id (its provider decides the rest)")
    common.add_argument("--url", help="where the instance answers (default: $SWITCHBOARD_URL, else the running "
                                      "`make run`, else http://localhost:$PORT)")
    common.add_argument("--storage", help="a storage connection string (default: what `make run` uses)")
    common.add_argument("--cloudevents", action="store_true", help="ACS: the CloudEvents 1.0 schema")
    common.add_argument("--id", help="the id of the message or event sent (default: a new one)")
    parser = argparse.ArgumentParser(prog="python -m localhost.simulate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = parser.add_subparsers(dest="kind", required=True)
    message = kinds.add_parser("message", parents=[common], help="a customer's message to the account")
    message.add_argument("--from", dest="from_", metavar="NUMBER", help=f"the customer (default {DEFAULT_CUSTOMER})")
    message.add_argument("--to", metavar="ADDRESS",
                         help="the business number or ACS channel id (default: the account's first)")
    message.add_argument("--body", default=DEFAULT_BODY)
    message.add_argument("--media-url", action="append", default=[], help="Twilio: an attachment (repeatable)")
    message.add_argument("--media-type", default="image/jpeg", help="Twilio: the attachments' content type")
    status = kinds.add_parser("status", parents=[common], help="a delivery report on a message the app sent")
    status.add_argument("--message-id", help="the provider's id of the message: its provider_message_id")
    status.add_argument("--status", default="delivered",
                        help="delivered (default), sent, read, failed, undelivered...; TeleSign: or a status code")
    status.add_argument("--error-code", help="Twilio ErrorCode, ACS WhatsApp error.channelCode")
    status.add_argument("--from", dest="from_", metavar="ADDRESS",
                        help="the business number or channel id (default: the account's first)")
    status.add_argument("--to", metavar="NUMBER", help=f"the customer (default {DEFAULT_CUSTOMER})")
    kinds.add_parser("handshake", parents=[common], help="ACS: Event Grid's subscription validation")
    return parser


def _options(args: argparse.Namespace) -> Options:
    """The options the kind has and the user gave; the rest keep Options' defaults."""
    given = {name: getattr(args, name) for name in OPTION_NAMES if getattr(args, name, None) is not None}
    return Options(media_urls=tuple(getattr(args, "media_url", ())), **given)


def _delivery(kind: str, target: Target, options: Options) -> Delivery:
    provider = target.account.provider
    builder = BUILDERS.get(provider, {}).get(kind)
    if builder is None:
        raise SimulationError(f"{provider} accounts have no {kind}; try one of {', '.join(BUILDERS.get(provider, {}))}")
    if options.cloudevents and provider != "acs":
        raise SimulationError("--cloudevents is Event Grid's other schema, for ACS accounts only")
    return builder(target, options)


def _report(delivery: Delivery, url: str, answer: requests.Response) -> int:
    print(f"{delivery.what}: {delivery.method} {url}{delivery.path}")
    for name, value in delivery.ids.items():
        print(f"{name}: {value}")
    print(f"answer: {answer.status_code} {answer.reason}")
    for name in delivery.shown:
        if name in answer.headers:
            print(f"{name}: {answer.headers[name]}")
    text = answer.text.strip()
    if text:
        print(text[:ANSWER_LIMIT])
    if not answer.ok:
        return 1
    try:
        problem = delivery.verdict(answer) if delivery.verdict else None
    except ValueError:
        problem = "the answer is not what the provider expects"
    if problem:
        print(f"not taken: {problem}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        target = find(args.account, args.url, args.storage, os.environ if environ is None else environ)
        delivery = _delivery(args.kind, target, _options(args))
        answer = delivery.send(target.url)
    except SimulationError as exc:
        print(f"cannot simulate: {exc}", file=sys.stderr)
        return 2
    return _report(delivery, target.url, answer)


if __name__ == "__main__":
    sys.exit(main())

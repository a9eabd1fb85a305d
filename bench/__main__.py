"""Run with `make bench` (or `python -m bench --messages 400 --concurrency 8`): every
figure side by side in one run, each section with its own Azurite and local host.

  cold start    import time of the app next to its Azure SDKs alone (bench/imports.py)
  ingest        inbound webhooks through the host and straight to storage (bench/ingest.py)
  inbox         a page of each inbox view at 1,000 and at 20,000 conversations (bench/inbox.py)
  distribution  webhook to offer in the agent's change feed, round trips of an assignment
                (bench/distribution.py)
  backlog       10,000 conversations due at once, closed by one sweep run (bench/backlog.py)
  live          idle workspaces and offers on screen, long poll against push (bench/live.py)
  reports       a 30-day summary at 1,000 and at 20,000 conversations, live figures (bench/reports.py)
"""

from __future__ import annotations

import argparse

from bench import backlog, distribution, imports, inbox, ingest, live, reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--inbox-sizes", type=int, nargs=2, default=(1_000, 20_000), metavar=("SMALL", "LARGE"))
    parser.add_argument("--offers", type=int, default=40)
    parser.add_argument("--backlog", type=int, default=10_000)
    args = parser.parse_args()
    print("== cold start")
    imports.run()
    print("\n== ingest")
    ingest.run(args.messages, args.concurrency)
    print("\n== inbox")
    inbox.run(tuple(args.inbox_sizes))
    print("\n== distribution")
    distribution.run(args.offers)
    print("\n== backlog")
    backlog.run(args.backlog)
    print("\n== live updates")
    live.run(offers=args.offers)
    print("\n== reports")
    reports.run(tuple(args.inbox_sizes))


if __name__ == "__main__":
    main()

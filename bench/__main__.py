"""Run with `make bench` (or `python -m bench --messages 400 --concurrency 8`): every
figure side by side in one run, each section with its own Azurite and local host.

  cold start   import time of the app next to its Azure SDKs alone (bench/imports.py)
  ingest       inbound webhooks through the host and straight to storage (bench/ingest.py)
"""

from __future__ import annotations

import argparse

from bench import imports, ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print("== cold start")
    imports.run()
    print("\n== ingest")
    ingest.run(args.messages, args.concurrency)


if __name__ == "__main__":
    main()

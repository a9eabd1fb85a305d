"""`python -m localhost.token --name Ada --role admin`: a bearer token for the local host,
as an Entra access token with Switchboard's app roles would be in Azure, for curl and
scripts (`curl -H "Authorization: Bearer $TOKEN" ...`). It is signed by the development
tenant in `.local/` (or SWITCHBOARD_LOCAL_DIR), which the local host trusts."""

from __future__ import annotations

import argparse
import os
import sys

from core.identity import APP_ROLES, ROLE_NAMES
from localhost.easyauth import EasyAuth
from localhost.entra import LocalTenant


def _role(value: str) -> str:
    """A role by its short name (admin) or its app role value (Switchboard.Admin)."""
    if value in APP_ROLES:
        return value
    if value.lower() in ROLE_NAMES:
        return ROLE_NAMES[value.lower()]
    raise argparse.ArgumentTypeError(f"{value!r} is not one of {', '.join(sorted(ROLE_NAMES))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localhost.token", description=__doc__)
    parser.add_argument("--name", required=True, help="who the token is for (the same name, the same object id)")
    parser.add_argument("--role", action="append", type=_role, default=[], help="admin, supervisor or agent; repeat")
    parser.add_argument("--object-id", help="an Entra object id to use instead of the one the name maps to")
    parser.add_argument("--app", action="store_true", help="an application's token (client credentials), no user")
    parser.add_argument("--hours", type=float, default=8.0, help="how long the token is valid")
    args = parser.parse_args(argv)
    token = EasyAuth(LocalTenant.of(os.environ)).token(args.name, args.role, args.object_id, args.app,
                                                        lifetime=int(args.hours * 3600))
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Signing in to a local host under test: bearer tokens of its development tenant (the
tenant in SWITCHBOARD_LOCAL_DIR of the host's environment), as Easy Auth's emulation takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.identity import ADMIN, ROLE_NAMES
from localhost.easyauth import EasyAuth
from localhost.entra import LocalTenant


def token(env: Mapping[str, str], name: str = "alice", roles: Iterable[str] = (ADMIN,), app: bool = False) -> str:
    """A token for ``name`` with Switchboard ``roles`` (admin, supervisor, agent; none is fine)."""
    return EasyAuth(LocalTenant.of(env)).token(name, [ROLE_NAMES[r] for r in roles], app=app)


def bearer(env: Mapping[str, str], name: str = "alice", roles: Iterable[str] = (ADMIN,)) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(env, name, roles)}"}

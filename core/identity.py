"""Who acts: the signed-in principal of a request, the roles it holds, and the actor a
conversation's history and messages name."""

from __future__ import annotations

from dataclasses import dataclass

ADMIN, SUPERVISOR, AGENT = "admin", "supervisor", "agent"
ROLES = (ADMIN, SUPERVISOR, AGENT)
# The Entra app roles (the ``roles`` claim) that grant them.
APP_ROLES = {"Switchboard.Admin": ADMIN, "Switchboard.Supervisor": SUPERVISOR, "Switchboard.Agent": AGENT}
ROLE_NAMES = {role: app_role for app_role, role in APP_ROLES.items()}


@dataclass(frozen=True)
class Actor:
    """Someone a record names as having done something: an Entra object id and the display
    name it had then."""

    id: str
    name: str


@dataclass(frozen=True)
class Principal:
    """The signed-in caller of one request: a person, or an application signed in with its
    own credentials (``app``), with the Switchboard roles its token carries."""

    id: str  # the Entra object id
    name: str
    roles: frozenset[str]
    app: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.name)

    def has(self, role: str) -> bool:
        return role in self.roles


def roles_of(app_roles: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """The Switchboard roles among a token's app roles (others are ignored)."""
    return frozenset(APP_ROLES[r] for r in app_roles if r in APP_ROLES)

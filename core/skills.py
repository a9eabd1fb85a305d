"""Skills: what admins say an agent can do, with a proficiency from 1 to 10, and what a
conversation needs (its routing rule's skills, each with a least proficiency).

An agent *fits* a conversation when it has every skill it needs at that proficiency or
more (an exact match). Its *closeness* ranks agents when nobody fits: how many of the
needed skills it has at the proficiency asked, then how proficient it is in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Sequence

MIN_PROFICIENCY, MAX_PROFICIENCY = 1, 10


@dataclass(frozen=True)
class Skill:
    """A skill of the catalogue admins keep; agents and routing rules name it."""

    name: str
    description: str
    created_at: datetime

    @property
    def id(self) -> str:
        return skill_key(self.name)


def skill_key(name: str) -> str:
    """What a skill is known by: its name, whatever its case."""
    return name.casefold()


@dataclass(frozen=True)
class SkillNeed:
    name: str
    min_proficiency: int = MIN_PROFICIENCY

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "min_proficiency": self.min_proficiency}

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> SkillNeed:
        return cls(value["name"], int(value.get("min_proficiency", MIN_PROFICIENCY)))


def closeness(skills: Mapping[str, int], needs: Sequence[SkillNeed]) -> tuple[int, int]:
    """How many of ``needs`` the skills meet, and the proficiency summed over those."""
    met = [skills[n.name] for n in needs if skills.get(n.name, 0) >= n.min_proficiency]
    return len(met), sum(met)


def fits(skills: Mapping[str, int], needs: Sequence[SkillNeed]) -> bool:
    return closeness(skills, needs)[0] == len(needs)

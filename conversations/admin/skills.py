"""The skills catalogue admins keep, and the skills agents have and routing rules need,
checked against it field by field (core/skills.py says what they mean for routing)."""

from __future__ import annotations

from typing import Any, Iterable

from conversations.admin.validation import objects, reject_unknown, require_object, short_name, text
from core.clock import Clock
from core.errors import Conflict, NotFound, ValidationFailed
from core.ports import Agents, Skills, Workstreams
from core.routing import Rule
from core.skills import MAX_PROFICIENCY, MIN_PROFICIENCY, Skill, SkillNeed, skill_key

MAX_SKILLS = 200  # in the catalogue; an agent or a rule names at most MAX_NAMED
MAX_NAMED = 20


class SkillCatalogue:
    def __init__(self, *, skills: Skills, agents: Agents, workstreams: Workstreams, clock: Clock) -> None:
        self._skills = skills
        self._agents = agents
        self._workstreams = workstreams
        self._clock = clock

    def list(self) -> list[Skill]:
        return sorted(self._skills.list(), key=lambda s: s.id)

    def create(self, body: Any) -> Skill:
        body = require_object(body)
        reject_unknown(body, ("name", "description"))
        name = short_name(body)
        if len(self._skills.list()) >= MAX_SKILLS:
            raise Conflict(f"the catalogue holds {MAX_SKILLS} skills, the most it may", code="too_many_skills")
        description = body.get("description")
        description = None if description == "" else description  # "" is no description
        skill = Skill(name, text({"description": description}, "description", required=False, max_length=500) or "",
                      self._clock())
        try:
            self._skills.create(skill)
        except Conflict as exc:
            existing = self._skills.get(skill_key(name))  # named as it was written: unique whatever its case
            taken = Conflict(f"a skill named {existing.name if existing else name} exists already", code="skill_exists")
            taken.field = "name"  # what the answer names, as a 422 does
            raise taken from exc
        return skill

    def delete(self, name: str) -> str:
        """Refused (409 skill_in_use) while an agent has it or a routing rule needs it; its
        id (its key, whatever case ``name`` had), as its creation's audit entry names it."""
        skill = self._skills.get(skill_key(name))
        if skill is None:
            raise NotFound(f"skill {name} not found")
        holders = [a.name or a.id for a in self._agents.list() if skill.name in a.skills]
        rules = [f"{w.name}: {r.name}" for w in self._workstreams.list() for r in w.settings.routing_rules
                 if any(n.name == skill.name for n in r.skills)]
        if holders or rules:
            used = ", ".join([*(f"agent {h}" for h in holders[:3]), *(f"rule {r}" for r in rules[:3])])
            raise Conflict(f"skill {skill.name} is in use ({used}); take it away first", code="skill_in_use")
        self._skills.delete(skill.id)
        return skill.id

    def proficiencies(self, value: Any, field: str = "skills") -> dict[str, int]:
        """An agent's skills, ``[{"name", "proficiency"}]``, by their catalogue names."""
        found: dict[str, int] = {}
        for prefix, item in objects(value, field, ("name", "proficiency"), at_most=MAX_NAMED, allow_empty=True):
            name = self._known(item.get("name"), prefix + "name", found)
            found[name] = _level(item.get("proficiency"), prefix + "proficiency")
        return found

    def check_rules(self, rules: Iterable[Rule], field: str = "routing_rules") -> tuple[Rule, ...]:
        """Rules whose skills all name the catalogue's skills (as it spells them)."""
        checked = []
        for i, rule in enumerate(rules):
            named: dict[str, int] = {}
            needs = []
            for j, need in enumerate(rule.skills):
                name = self._known(need.name, f"{field}[{i}].skills[{j}].name", named)
                named[name] = need.min_proficiency
                needs.append(SkillNeed(name, need.min_proficiency))
            checked.append(Rule(rule.name, rule.conditions, rule.queue, tuple(needs)))
        return tuple(checked)

    def _known(self, name: Any, field: str, named: dict[str, int]) -> str:
        skill = self._skills.get(skill_key(name)) if isinstance(name, str) and name.strip() else None
        if skill is None:
            raise ValidationFailed(field, "must name a skill of the catalogue (GET /api/admin/skills)")
        if skill.name in named:
            raise ValidationFailed(field, "names a skill twice")
        return skill.name


def parse_needs(value: Any, field: str) -> tuple[SkillNeed, ...]:
    """A routing rule's skills as given, ``[{"name", "min_proficiency"}]`` (the names are
    checked against the catalogue when the rules are kept: SkillCatalogue.check_rules)."""
    needs = []
    for prefix, item in objects(value, field, ("name", "min_proficiency"), at_most=MAX_NAMED, allow_empty=True):
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            raise ValidationFailed(prefix + "name", "must name a skill of the catalogue (GET /api/admin/skills)")
        needs.append(SkillNeed(item["name"].strip(), _level(item.get("min_proficiency", MIN_PROFICIENCY),
                                                            prefix + "min_proficiency")))
    return tuple(needs)


def _level(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_PROFICIENCY <= value <= MAX_PROFICIENCY:
        raise ValidationFailed(field, f"must be a whole number from {MIN_PROFICIENCY} to {MAX_PROFICIENCY}")
    return value

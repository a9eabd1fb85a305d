// Skills in the inbox: a conversation's routing rule may say what it needs ("Needs: Spanish
// 6+"); in a queue an agent takes from, those the agent has the skills for (each at the
// proficiency asked or more, as GET /api/me names them) come first and are marked.

import type { AgentSkill, Conversation, SkillNeed } from "../types";

/** Skill names compare whatever their case, as the API's do. */
const key = (name: string) => name.toLowerCase();

/** Whether the agent's skills meet every one the conversation needs (false when it needs none). */
export function yours(c: Conversation, skills: AgentSkill[]): boolean {
  if (c.required_skills.length === 0) return false;
  const have = new Map(skills.map((s) => [key(s.name), s.proficiency]));
  return c.required_skills.every((n) => (have.get(key(n.name)) ?? 0) >= (n.min_proficiency ?? 1));
}

/** "Spanish 6+, Billing": a need of the least proficiency reads as the skill alone. */
export function needsText(needs: SkillNeed[]): string {
  return needs.map((n) => ((n.min_proficiency ?? 1) > 1 ? `${n.name} ${n.min_proficiency}+` : n.name)).join(", ");
}

/** `list` with the conversations the agent has the skills for first, each part in its order. */
export function yoursFirst(list: Conversation[], skills: AgentSkill[]): Conversation[] {
  const first = list.filter((c) => yours(c, skills));
  return first.length === 0 ? list : [...first, ...list.filter((c) => !yours(c, skills))];
}

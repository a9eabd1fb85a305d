// The admin API's records as the admin pages edit them: named from the types generated
// from functions/openapi.json (../api.gen.ts), like ../types.ts.

import type { components } from "../api.gen";

type Schemas = components["schemas"];

export type Account = Schemas["Account"];
export type NumberEntry = Account["numbers"][number];
export type ChannelEntry = NonNullable<Account["channels"]>[number];
type Kept = "created_at" | "updated_at" | "bot" | "retention_days";
/** As a form edits it: a new one has no times yet, and its pages leave its bot and
 *  retention as they are; minutes null leave the default (AUTO_CLOSE_MIN_MINUTES and up). */
export type Workstream = Omit<Schemas["Workstream"], Kept | "auto_close_after_minutes"> &
  Partial<Pick<Schemas["Workstream"], Kept>> & { auto_close_after_minutes: number | null };
export type RoutingRule = Schemas["RoutingRule"];
export type Condition = RoutingRule["conditions"][number];
export type WeeklyHours = NonNullable<NonNullable<Schemas["OperatingHours"]>["weekly"]>[number];
export type Agent = Schemas["Agent"];
export type ContactRecord = Schemas["Contact"];
/** The catalogue's skills; an agent's, with a proficiency; a routing rule's, with the least one it needs. */
export type Skill = Schemas["Skill"];
export type AgentSkill = Schemas["AgentSkill"];
export type SkillNeed = Schemas["SkillNeed"];
export type OverflowRule = Schemas["OverflowRule"];
export type WaitingMessage = NonNullable<Schemas["WaitingMessage"]>;

/** What a PATCH needs of a form's body: the fields that differ from what the page read
 *  (``before``, as the same body), so that a field someone else changed meanwhile, which
 *  this page did not touch, stays as they left it. The API checks what is sent against
 *  what is stored (a default queue against the queues, rules against them, hours against
 *  service levels), so a field left out is still checked with it. */
export function changedFields(body: Record<string, unknown>, before: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key])));
}

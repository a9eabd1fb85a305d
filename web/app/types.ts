// The API's records as the app reads them: named from the types `npm run build` generates
// from functions/openapi.json (api.gen.ts, by openapi-typescript), so the app cannot drift
// from what the API documents; a change there that the app does not follow fails the build.

import type { components } from "./api.gen";

type Schemas = components["schemas"];

export type Actor = NonNullable<Schemas["Actor"]>;
export type Media = Schemas["Media"];
export type Message = Schemas["Message"];
export type Interactive = Schemas["Interactive"];
export type HistoryEvent = Schemas["Event"];
export type Template = Schemas["Template"];
export type QuickReply = Schemas["QuickReply"];
export type Contact = Schemas["Contact"];
export type Conversation = Schemas["Conversation"];
/** A label admins defined (name, colour as #rrggbb); a conversation names its labels (`labels`). */
export type Label = Schemas["Label"];
/** The rate table that prices WhatsApp messages (GET/PUT /api/admin/rates), prices as decimal strings. */
export type RateTable = Schemas["RateTable"];
export type Rate = Schemas["Rate"];
/** A page of a list or of a search (GET /api/conversations): `next` for the following one. */
export type ConversationPage = Schemas["ConversationList"];
/** One of a conversation's service-level clocks (`service_level`: its running ones, the one due next). */
export type ServiceClock = Schemas["ServiceClock"];
export type ServiceTarget = ServiceClock["target"];
export type Handoff = Schemas["Handoff"];
export type QueueRef = Schemas["QueueRef"];
export type Presence = Schemas["Presence"];
/** Conversations at once per channel: what an agent may hold (capacity) and holds (load). */
export type PerChannel = Schemas["Capacity"];
export type Me = Schemas["Me"];
/** A skill an agent has (`Me["skills"]`), and one a conversation needs (`required_skills`). */
export type AgentSkill = Schemas["AgentSkill"];
export type SkillNeed = Schemas["SkillNeed"];
export type Agent = Schemas["Agent"];
/** GET /api/me/changes: only the lists that changed since the cursor, each whole. */
export type Changes = Schemas["Changes"];
export type QueuePage = NonNullable<Changes["queues"]>[number];

/** An agent's presence, load and capacity, as /api/me and the change feed give them. */
export interface Work {
  presence: Presence;
  load: PerChannel;
  capacity: PerChannel;
}

/** GET /api/me/realtime: how the workspace hears that something changed: a Web PubSub client
 *  URL with a short-lived token (transport "websocket"), or the change feed's long poll alone
 *  ("long_poll", a deployment without Web PubSub). */
export type Realtime = Schemas["RealtimeAccess"];

/** A live update (not in the API document: Web PubSub carries it): a service-level warning
 *  or breach just recorded, sent to the holder or offered agent and to the workstream's
 *  supervisors. Ids and targets only, never content. */
export interface SlaNotice {
  type: "sla";
  conversation_id: string;
  version: number;
  alerts: { target: ServiceTarget; level: "warning" | "breached" }[];
  due_at: string | null;
}

/** A live update (Web PubSub, not in the API document): an internal note named this person
 *  (POST /api/conversations/{id}/notes with `@name`). Ids only: who wrote it and what it
 *  says are read from the conversation, and the text never shows outside it. */
export interface MentionNotice {
  type: "mention";
  conversation_id: string;
  version: number;
}

/** How an `sla` notice came: sent to this person (the holder or offered agent), or to the
 *  workstream's group, whose members are that workstream's supervisors. */
export type NoticeRoute = "user" | "group";

/** What an agent records when closing (POST /api/conversations/{id}/close). */
export type WrapUp = Schemas["WrapUp"];
export type CloseBody = Schemas["Close"];
export type Note = Schemas["Note"];

/** Reports (docs/reports.md): live figures per workstream, summaries over days, the
 *  conversations behind a figure. */
export type LiveReport = Schemas["LiveReport"];
export type LiveWorkstream = LiveReport["workstreams"][number];
export type SummaryReport = Schemas["SummaryReport"];
export type ReportFigures = Schemas["ReportFigures"];
export type ReportGroup = Schemas["ReportGroup"];
export type ReportConversation = Schemas["ReportConversation"];
export type ReportConversations = Schemas["ReportConversations"];

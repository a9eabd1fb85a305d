// The API's records as the app reads them (functions/openapi.json describes each).

export interface Actor {
  id: string;
  name: string;
}

export interface Media {
  content_type: string;
  url?: string;
  download_url?: string;
  caption?: string;
  file_name?: string;
}

export interface Message {
  id: string;
  direction: "inbound" | "outbound";
  body: string;
  media: Media[];
  status: string;
  provider_message_id: string | null;
  created_at: string;
  agent: Actor | null;
  keyword: string | null;
  automated: string | null;
  from_bot?: boolean;
  media_dropped?: number;
  error?: { code: string | null; message: string | null };
}

export interface HistoryEvent {
  seq: number;
  at: string;
  action: string;
  actor: Actor | null;
  detail?: string | null;
  subject?: Actor | null;
}

export interface Template {
  name: string;
  language: string;
  text: string;
  content_sid?: string;
}

export interface QuickReply {
  name: string;
  text: string;
}

export interface Contact {
  id: string;
  mobile_phone?: string;
  name: string | null;
  fields?: Record<string, string>;
}

export interface Conversation {
  id: string;
  state: "open" | "active" | "waiting" | "closed";
  channel: string;
  provider: string;
  account_id: string;
  workstream_id: string | null;
  customer: string;
  customer_name: string | null;
  business: string;
  agent: Actor | null;
  created_at: string;
  last_activity_at: string;
  last_customer_message_at: string | null;
  reply_window_ends_at: string | null;
  closed_at: string | null;
  closed_reason: string | null;
  queue: string | null;
  queued_at?: string | null;
  offer?: { agent: Actor; expires_at: string } | null;
  version?: number;
  contact: Contact | null;
  consent: { state: "opted_in" | "opted_out"; changed_at: string | null; source: string | null };
  stage?: "bot" | null;
  handoff?: Handoff | null;
  messages?: Message[];
  history?: HistoryEvent[];
  workstream?: {
    id: string;
    name: string;
    channel: string;
    templates: Template[];
    quick_replies: QuickReply[];
    attachments: { agents_can_send: boolean };
    queues: string[];
  } | null;
}

export interface Handoff {
  reason: "bot" | "timeout" | "keyword" | "supervisor" | "bot_removed";
  at: string;
  summary: string | null;
  context: Record<string, unknown>;
  transcript: { from: "bot" | "customer"; text: string }[];
}

export interface QueueRef {
  workstream_id: string;
  queue: string | null;
}

export type Presence = "available" | "busy" | "away" | "offline";

/** Conversations at once per channel: what an agent may hold (capacity) and holds (load). */
export type PerChannel = Partial<Record<"sms" | "whatsapp", number>>;

export interface Work {
  presence: Presence;
  load: PerChannel;
  capacity: PerChannel;
}

export interface Me extends Work {
  id: string;
  name: string;
  roles: string[];
  app: boolean;
  queues: QueueRef[];
  supervises: string[];
}

export interface Agent extends Partial<Work> {
  id: string;
  name: string;
  roles: string[];
  queues: QueueRef[];
  supervises: string[];
}

export interface QueuePage extends QueueRef {
  conversations: Conversation[];
}

/** GET /api/me/changes: only the lists that changed since the cursor, each whole. */
export interface Changes {
  cursor: string;
  me?: Work;
  offers?: Conversation[];
  mine?: Conversation[];
  queues?: QueuePage[];
  workstreams?: { workstream_id: string; conversations: Conversation[] }[];
  all?: Conversation[];
}

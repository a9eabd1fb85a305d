// The admin API's records as the admin pages edit them.

import type { QueueRef, QuickReply, Template } from "../types";

export interface NumberEntry {
  number: string;
  type: string;
  description: string;
}

export interface ChannelEntry {
  name: string;
  channel_id: string;
  number?: string;
}

export interface Account {
  id: string;
  name: string;
  channel: string;
  provider: string;
  credentials: Record<string, string | null>;
  numbers: NumberEntry[];
  channels?: ChannelEntry[];
  callback: Record<string, string>;
  updated_at: string;
}

export interface Condition {
  field: string;
  operator: string;
  value?: string;
}

export interface RoutingRule {
  name: string;
  conditions: Condition[];
  queue: string;
}

export interface WeeklyHours {
  day: string;
  open: string;
  close: string;
}

export interface Workstream {
  id: string;
  name: string;
  channel: string;
  account_id: string;
  number: string;
  auto_close_after_minutes: number | null;
  language: string;
  operating_hours: { time_zone: string; weekly: WeeklyHours[]; closures: string[] } | null;
  allow_automated_messages: boolean;
  automated_messages: Record<string, { text: string }>;
  attachments: { customers_can_send: boolean; agents_can_send: boolean };
  survey: { enabled: boolean; text: string; url: string };
  queues: string[];
  default_queue: string | null;
  routing_rules: RoutingRule[];
  templates: Template[];
  quick_replies: QuickReply[];
  distribution: { mode: string; assignment: string; keep_same_agent: boolean; offer_timeout_seconds: number };
  bot?: unknown; // set through the API (docs/bots.md); this page leaves it as it is
  created_at?: string;
  updated_at?: string;
}

export interface Agent {
  id: string;
  name: string;
  roles: string[];
  queues: QueueRef[];
  supervises: string[];
  last_seen_at: string | null;
  capacity?: Record<string, number>;
  updated_at?: string;
}

export interface ContactRecord {
  id: string;
  mobile_phone: string;
  name: string;
  fields: Record<string, string>;
  updated_at?: string;
}

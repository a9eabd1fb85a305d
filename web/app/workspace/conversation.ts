// One open conversation, read by id, read again every few seconds (delivery reports) and
// whenever the change feed shows it grew (`version`), with the actions taken on it.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import { can } from "../session";
import type { CloseBody, Conversation, Interactive, Me, Message, Note } from "../types";

export const POLL_MS = 4000;

/** Why the caller may not answer it (nor take it, when it is not the caller's), or null: as
 * the API refuses an answer (check_answer) and the accept an answer to a conversation nobody
 * holds makes first. An agent takes only what nobody holds, nobody else is offered and no
 * bot answers (a supervisor takes that over: BotStage.tsx); an admin takes anything. */
export function answerRefused(conversation: Conversation, me: Me): string | null {
  if (can(me, "admin")) return null;
  if (!can(me, "agent")) return "Only agents answer customers: add an internal note for whoever holds it.";
  const { agent, offer } = conversation;
  if (agent && agent.id !== me.id) return `${agent.name} holds this conversation: add an internal note for them.`;
  if (!agent && conversation.stage === "bot") return "Its bot is answering: a supervisor may take it over.";
  if (!agent && offer && offer.agent.id !== me.id) {
    return `It is offered to ${offer.agent.name}: add an internal note for them.`;
  }
  return null;
}

/** Why nothing may be sent in the conversation whoever answers it, or null: its customer
 *  opted out (the API refuses every send, 409 recipient_opted_out). */
export function sendRefused(conversation: Conversation): string | null {
  return conversation.consent.state === "opted_out"
    ? "The customer opted out: nothing can be sent until they write START. Add an internal note instead."
    : null;
}

const GONE = "This conversation is not there any more: it was deleted (an erasure or retention), or it is no longer yours to see.";
const NOT_FOUND = "No such conversation, or not one of yours to see.";

export function useConversation(id: string, version: number | undefined) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const shown = useRef<string | null>(null); // the id last shown: one gone since was there
  const reload = useCallback(async () => {
    try {
      setConversation(await api.get<Conversation>(`/conversations/${encodeURIComponent(id)}`));
      shown.current = id;
      setError(null);
    } catch (caught) {
      const error = problem(caught);
      if (error.status === 404) {
        // Gone (an erasure, retention) or no longer the caller's to see: nothing of it stays on screen.
        setConversation(null);
        setError(new ApiError(404, error.code, shown.current === id ? GONE : NOT_FOUND));
      } else {
        setError(error);
      }
    }
  }, [id]);
  useEffect(() => {
    void reload();
  }, [reload, version]);
  useEffect(() => {
    const timer = window.setInterval(() => { if (!document.hidden) void reload(); }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  /** The answer to marking it seen, which has no messages: its unread count. */
  const seen = useCallback((answer: Conversation) =>
    setConversation((now) => (now ? { ...now, unread: answer.unread } : now)), []);
  return { conversation, error, reload, seen };
}

export function customerLabel(c: Conversation): string {
  return c.contact?.name || c.customer_name || c.customer;
}

/** How many of the customer's messages came after the last reply sent to them (by an agent
 *  or the bot; Switchboard's automated messages and internal notes answer nothing): what
 *  closing would leave without an answer; none while the customer has opted out, as
 *  nothing can answer them then. */
export function unanswered(c: Conversation): number {
  if (sendRefused(c)) return 0;
  const messages = c.messages ?? [];
  let count = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.direction === "inbound") count++;
    else if (m.direction === "outbound" && !m.automated) break;
  }
  return count;
}

export type Action = "accept" | "decline" | "wait" | "close" | "unassign";

const path = (id: string, what: string) => `/conversations/${encodeURIComponent(id)}/${what}`;

export function act(id: string, action: Action): Promise<Conversation> {
  return api.post<Conversation>(path(id, action));
}

/** To an agent (who then holds it) or to a queue of its workstream (null: no queue). */
export type Target = { agent_id: string } | { queue: string | null };

/** Closed with the agent's wrap-up: a disposition of its workstream's, and a note kept as an
 *  internal note; a refused one names its `field` (disposition, note). */
export function close(id: string, wrap: CloseBody): Promise<Conversation> {
  return api.post<Conversation>(path(id, "close"), wrap);
}

/** The caller opened it: the customer's messages are seen (the holder's `unread` back to 0). */
export function markSeen(id: string): Promise<Conversation> {
  return api.post<Conversation>(path(id, "seen"));
}

/** An internal note, never sent; `@name` tells that teammate. */
export function addNote(id: string, body: string): Promise<Note> {
  return api.post<Note>(path(id, "notes"), { body });
}

export function transfer(id: string, target: Target): Promise<Conversation> {
  return api.post<Conversation>(path(id, "transfer"), target);
}

export function assign(id: string, agentId: string): Promise<Conversation> {
  return api.post<Conversation>(path(id, "assign"), { agent_id: agentId });
}

export interface Attachment {
  url: string;
  content_type: string;
}

/** A send is made once whatever the retries: `key` is the composed message's own
 *  Idempotency-Key, the same on every try of that message. */
export function reply(id: string, body: string, media: Attachment[], key: string,
  interactive?: Interactive): Promise<Message> {
  return api.post<Message>(path(id, "messages"), { body, ...(media.length ? { media } : {}),
    ...(interactive ? { interactive } : {}) }, { "Idempotency-Key": key });
}

export function sendTemplate(id: string, template: { name: string; language: string; parameters: string[] },
  key: string): Promise<Message> {
  return api.post<Message>(path(id, "template"), template, { "Idempotency-Key": key });
}

export function newKey(): string {
  return crypto.randomUUID();
}

/** Whether a failed send may have gone through (no answer, a server or gateway error,
 *  the first try still running): only then is the same key kept for the next try, which
 *  finishes what the first left undone. A provider's refusal (provider_error) is final. */
export function outcomeUnknown(error: ApiError): boolean {
  return error.status === 0 || (error.status >= 500 && error.code !== "provider_error")
    || error.code === "idempotency_request_in_flight";
}

/** Whether the outbox still owes a sent message its outcome (a 202): the provider could
 *  not take it yet, or a try's answer was lost and the outbox finds out before it tries again. */
export function owed(message: Message): boolean {
  return message.status === "retrying" || message.status === "sending";
}

/** WhatsApp allows free text only inside 24 hours of the customer's last message. */
export function windowClosed(c: Conversation, now: number = Date.now()): boolean {
  return c.channel === "whatsapp" && (!c.reply_window_ends_at || new Date(c.reply_window_ends_at).getTime() <= now);
}

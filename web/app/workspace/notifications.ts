// What the workspace tells the desktop (notify.ts shows it, when the agent turned it on): a
// new offer, a customer writing in a conversation the agent holds while the tab is hidden
// (a visible tab shows it on the card and marks it seen), a note naming the agent. Never
// what anyone wrote: a notification shows on a locked screen and in the system's history,
// so it names the customer and the workstream, and the tag (one per conversation and kind)
// makes a repeat replace the last one rather than stack. The agent's own actions raise
// none: an offer or a count the agent's accept brought is not new to them, and the API
// sends no mention of oneself.

import type { Conversation } from "../types";
import type { FeedState } from "./feed";

export interface DesktopNote {
  title: string;
  body: string;
  tag: string;
  /** The conversation a click opens. */
  conversation: string;
}

type Lists = Pick<FeedState, "offers" | "mine" | "loaded">;

/** The customer as a notification may name them: by name, never by number (a lock screen
 *  and the system's history show it to whoever passes). */
const named = (c: Conversation, unnamed: string) => c.contact?.name || c.customer_name || unnamed;

/** The notes a change of the feed's lists calls for: offers it had not shown before (not
 *  those of the first load), and customer messages that grew a held conversation's unread
 *  count while `hidden`. `workstreams` names a conversation's workstream by id. */
export function feedNotes(before: Lists, after: Lists, hidden: boolean, workstreams: Map<string, string>): DesktopNote[] {
  if (!before.loaded) return [];
  const where = (c: Conversation) => (c.workstream_id && workstreams.get(c.workstream_id)) || `${c.business} (${c.channel})`;
  const offered = new Set(before.offers.map((c) => c.id));
  const offers = after.offers.filter((c) => !offered.has(c.id)).map((c) => ({
    title: `New offer: ${named(c, "a customer")}`, body: `In ${where(c)}`, tag: `offer:${c.id}`, conversation: c.id,
  }));
  if (!hidden) return offers;
  const unread = new Map(before.mine.map((c) => [c.id, c.unread]));
  const wrote = after.mine.filter((c) => c.unread > (unread.get(c.id) ?? Infinity)).map((c) => ({
    title: `${named(c, "A customer")} wrote`, body: `${c.unread} unread in ${where(c)}`,
    tag: `message:${c.id}`, conversation: c.id,
  }));
  return [...offers, ...wrote];
}

/** A note naming the agent: who wrote it and whose conversation, never what it says. */
export function mentionNote(writer: string, customer: string, conversation: string): DesktopNote {
  return { title: `${writer} mentioned you`, body: `In a conversation with ${customer}`,
    tag: `mention:${conversation}`, conversation };
}

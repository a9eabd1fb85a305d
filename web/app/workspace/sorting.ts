// The inbox's order, the agent's choice kept in this browser: newest (the conversations the
// agent holds by the customer's latest message, the other lists as the API gives them: a
// queue, who has waited longest), or due first: the conversations with a running
// service-level clock by when the next one is due, then the others in the newest order.
// Everyone's newest (admins) keeps its order: its rows show no clock (InboxItems.tsx).

import { useState } from "preact/hooks";
import type { Conversation } from "../types";

export type InboxSort = "newest" | "due";

const KEY = "switchboard.inbox.sort";

function saved(): InboxSort {
  try {
    return window.localStorage.getItem(KEY) === "due" ? "due" : "newest";
  } catch {
    return "newest";
  }
}

/** The order chosen, and a setter that remembers it. */
export function useInboxSort(): [InboxSort, (sort: InboxSort) => void] {
  const [sort, setSort] = useState<InboxSort>(saved);
  const choose = (next: InboxSort) => {
    setSort(next);
    try {
      window.localStorage.setItem(KEY, next);
    } catch {
      // private mode: the choice lasts until the page is left
    }
  };
  return [sort, choose];
}

const dueAt = (c: Conversation) => {
  const next = c.service_level?.next_due;
  return next ? Date.parse(next.due_at) : Infinity;
};

const wroteAt = (c: Conversation) => Date.parse(c.last_customer_message_at ?? c.created_at);

/** The conversations an agent holds, the one whose customer wrote last first. */
export function latestFirst(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => wroteAt(b) - wroteAt(a));
}

/** `list` in the chosen order (a stable sort: ties keep the list's order). */
export function ordered(list: Conversation[], sort: InboxSort): Conversation[] {
  if (sort === "newest") return list;
  return [...list].sort((a, b) => {
    const [x, y] = [dueAt(a), dueAt(b)];
    return x === y ? 0 : x < y ? -1 : 1;
  });
}

const lapsesAt = (c: Conversation) => (c.offer ? Date.parse(c.offer.expires_at) : Infinity);

/** Of `offers`, the one that lapses first (what the `a` and `d` keys act on). */
export function soonest(offers: Conversation[]): Conversation | undefined {
  return offers.reduce<Conversation | undefined>((first, c) => (!first || lapsesAt(c) < lapsesAt(first) ? c : first),
    undefined);
}

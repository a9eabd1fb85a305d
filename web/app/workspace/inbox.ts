// The inbox's filters (state, workstream and label, applied to the lists as loaded), and
// the one list the change feed does not keep: closed conversations, read a page at a time
// from GET /api/conversations (`next` for the following page) across the lists the caller
// may read.

import { type Query, api, problem } from "../api";
import { can } from "../session";
import { Store } from "../store";
import type { Conversation, Me } from "../types";
import { hasLabel } from "./labels";

export interface InboxFilters {
  state: string;
  workstream_id: string;
  /** A label's name; "" for any. */
  label: string;
}

export const NO_FILTERS: InboxFilters = { state: "", workstream_id: "", label: "" };

/** Whether a conversation passes the filters (offers pass on the workstream and label alone). */
export function matches(c: Conversation, filters: InboxFilters, stateToo = true): boolean {
  return (!filters.workstream_id || c.workstream_id === filters.workstream_id) && hasLabel(c.labels, filters.label)
    && (!stateToo || !filters.state || c.state === filters.state);
}

/** The lists that hold the caller's closed conversations: an admin's everything, a
 *  supervisor's workstreams, an agent's own queues. */
export function closedQueries(me: Me, workstreamId: string): Query[] {
  const state = "closed";
  if (can(me, "admin")) {
    return [workstreamId ? { view: "workstream", workstream_id: workstreamId, state } : { view: "all", state }];
  }
  const wanted = (id: string) => !workstreamId || id === workstreamId;
  const supervised = can(me, "supervisor") ? me.supervises.filter(wanted) : [];
  const queues = can(me, "agent")
    ? me.queues.filter((q) => wanted(q.workstream_id) && !supervised.includes(q.workstream_id)) : [];
  return [
    ...supervised.map((id) => ({ view: "workstream", workstream_id: id, state })),
    ...queues.map((q) => ({ view: "workstream", workstream_id: q.workstream_id, queue: q.queue ?? "", state })),
  ];
}

export interface ClosedState {
  conversations: Conversation[];
  more: boolean;
  loaded: boolean;
  error: string | null;
}

interface Page {
  conversations: Conversation[];
  next: string | null;
}

export const PAGE_SIZE = 50;

export class ClosedList extends Store<ClosedState> {
  private index = 0;
  private next: string | null = null;

  constructor(private readonly queries: Query[]) {
    super({ conversations: [], more: queries.length > 0, loaded: queries.length === 0, error: null });
  }

  /** The following page: of the current list, or the first of the next list once one ends. */
  async more(): Promise<void> {
    const query = this.queries[this.index];
    if (!query) return;
    try {
      const page = await api.get<Page>("/conversations", { ...query, limit: PAGE_SIZE, next: this.next });
      this.next = page.next;
      if (!page.next) this.index++;
      this.update({ conversations: [...this.get().conversations, ...page.conversations],
        more: this.index < this.queries.length, loaded: true, error: null });
    } catch (error) {
      this.update({ error: problem(error).message, loaded: true });
    }
  }
}

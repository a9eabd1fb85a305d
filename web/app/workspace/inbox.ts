// The inbox's filters (state, workstream and label, applied to the lists as loaded), and
// the one list the change feed does not keep: closed conversations, read a page at a time
// from GET /api/conversations (`next` for the following page) of every list the caller
// may read, at once.

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

/** Whether a conversation passes the filters (offers are shown whatever they are). */
export function matches(c: Conversation, filters: InboxFilters): boolean {
  return (!filters.workstream_id || c.workstream_id === filters.workstream_id) && hasLabel(c.labels, filters.label)
    && (!filters.state || c.state === filters.state);
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
  /** Each list's next page: undefined before its first, null once read to its end. */
  private readonly nexts: (string | null | undefined)[];

  constructor(private readonly queries: Query[]) {
    super({ conversations: [], more: queries.length > 0, loaded: queries.length === 0, error: null });
    this.nexts = queries.map(() => undefined);
  }

  /** The following page of every list not read to its end, at once, merged newest first:
   *  a queue with nothing closed never hides another's. */
  async more(): Promise<void> {
    const open = this.queries.flatMap((query, i) => (this.nexts[i] === null ? [] : [{ query, i }]));
    if (open.length === 0) return;
    const read = await Promise.allSettled(open.map(({ query, i }) =>
      api.get<Page>("/conversations", { ...query, limit: PAGE_SIZE, next: this.nexts[i] ?? null })));
    const pages: Page[] = [];
    let failed: unknown = null; // one list that fails (a queue taken away meanwhile) hides none of the others
    read.forEach((answer, k) => {
      if (answer.status === "fulfilled") {
        this.nexts[open[k].i] = answer.value.next;
        pages.push(answer.value);
      } else {
        failed = answer.reason;
      }
    });
    const known = new Set(this.get().conversations.map((c) => c.id));
    const added = pages.flatMap((page) => page.conversations).filter((c) => !known.has(c.id) && known.add(c.id));
    const conversations = [...this.get().conversations, ...added]
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
    this.update({ conversations, more: this.nexts.some((next) => next !== null), loaded: true,
      error: failed === null ? null : problem(failed).message });
  }
}

// The inbox: the conversation list the workspace shows, kept fresh by polling
// GET /api/conversations. What fills it is one function (`load`), so a later source (the
// API's views with continuation tokens, offers, the change feed) replaces only that.

import { api } from "../api";
import { Store } from "../store";
import type { Conversation } from "../types";

export const POLL_MS = 4000;

export interface InboxFilters {
  state: string;
  workstream_id: string;
}

export interface InboxState {
  filters: InboxFilters;
  conversations: Conversation[];
  loaded: boolean;
  error: string | null;
}

export type Loader = (filters: InboxFilters) => Promise<Conversation[]>;

export const listConversations: Loader = async (filters) =>
  (await api.get<{ conversations: Conversation[] }>("/conversations", { ...filters, limit: 200 })).conversations;

export class Inbox extends Store<InboxState> {
  private timer: number | undefined;
  private generation = 0;

  constructor(private readonly load: Loader = listConversations) {
    super({ filters: { state: "", workstream_id: "" }, conversations: [], loaded: false, error: null });
  }

  /** Refresh now and then every POLL_MS until stop(); a hidden tab waits for the next tick. */
  start(): void {
    this.stop();
    const tick = async () => {
      if (!document.hidden) await this.refresh();
      this.timer = window.setTimeout(tick, POLL_MS);
    };
    void tick();
  }

  stop(): void {
    window.clearTimeout(this.timer);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const filters = this.get().filters;
    try {
      const conversations = await this.load(filters);
      if (generation === this.generation) this.update({ conversations, loaded: true, error: null });
    } catch (error) {
      if (generation === this.generation) this.update({ error: (error as Error).message, loaded: true });
    }
  }

  setFilters(change: Partial<InboxFilters>): void {
    this.update({ filters: { ...this.get().filters, ...change } });
    void this.refresh();
  }

  /** A conversation the agent just changed (accepted, closed, ...), shown at once. */
  put(conversation: Conversation): void {
    const { id, messages: _m, history: _h, workstream: _w, ...summary } = conversation;
    const known = this.get().conversations;
    const conversations = known.some((c) => c.id === id)
      ? known.map((c) => (c.id === id ? { ...c, ...summary, id } : c))
      : [{ ...summary, id }, ...known];
    this.update({ conversations });
  }
}

// Search (GET /api/conversations?q=): a customer's number in any written form, the start of a
// word of a name, a label's name or a conversation id, within the caller's scope, closed ones
// too, 20 a page (`next` for the following one; a page may hold fewer). The box's text is
// kept here too, so Back to inbox can clear it; an answer to a search since replaced or
// cleared is dropped.

import { type ApiError, api, problem } from "../api";
import { Store } from "../store";
import type { Conversation, ConversationPage } from "../types";

export interface SearchState {
  /** What the box holds. */
  text: string;
  /** The search whose results are shown; null: none, the inbox shows its lists. */
  query: string | null;
  conversations: Conversation[];
  next: string | null;
  loading: boolean;
  /** A refused query (field `q`) shows beside the box, and no results. */
  error: ApiError | null;
}

const NONE: Omit<SearchState, "text"> = { query: null, conversations: [], next: null, loading: false, error: null };

export class Search extends Store<SearchState> {
  private asked = 0;

  constructor() {
    super({ text: "", ...NONE });
  }

  setText(text: string): void {
    this.update({ text });
  }

  /** The box's text searched for; an empty box ends the search. */
  find(): Promise<void> {
    const query = this.get().text.trim();
    if (!query) {
      this.clear();
      return Promise.resolve();
    }
    this.update({ ...NONE, query, loading: true });
    return this.page(query, null);
  }

  /** The following page, after those shown. */
  more(): Promise<void> {
    const { query, next, loading } = this.get();
    if (query === null || !next || loading) return Promise.resolve();
    this.update({ loading: true, error: null });
    return this.page(query, next);
  }

  /** Back to the inbox: the box emptied, no results. */
  clear(): void {
    this.asked++;
    this.update({ text: "", ...NONE });
  }

  private async page(query: string, next: string | null): Promise<void> {
    const asked = ++this.asked;
    try {
      const page = await api.get<ConversationPage>("/conversations", { q: query, next });
      if (asked !== this.asked) return;
      const shown = this.get().conversations;
      const known = new Set(shown.map((c) => c.id));
      this.update({ conversations: [...shown, ...page.conversations.filter((c) => !known.has(c.id))],
        next: page.next, loading: false });
    } catch (caught) {
      if (asked !== this.asked) return;
      const error = problem(caught);
      this.update(error.field === "q" ? { ...NONE, error } : { loading: false, error });
    }
  }
}

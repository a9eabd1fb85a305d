// Search at the top of the inbox (search.ts): a number in any written form, the start of a
// name, a label or a conversation id, searched with Enter (or the button); Escape clears it.
// While a search is shown its results stand in for the lists: "Results for …" with how many
// (read out as they come), Back to inbox, each result opening in the pane as a card does,
// and Load more while there are more. A query the API refuses shows beside the box.

import { useEffect, useRef } from "preact/hooks";
import { useStore } from "../store";
import { ConversationRows } from "./InboxItems";
import type { Search } from "./search";

const BOX = "inbox-search";

export function SearchBox({ search }: { search: Search }) {
  const { text, query, error } = useStore(search);
  const submit = (event: Event) => {
    event.preventDefault();
    void search.find();
  };
  const keyDown = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || (!text && query === null && !error)) return;
    event.preventDefault(); // the box's own clearing too: one Escape ends the search
    search.clear();
  };
  // The API's message without the field it names ("q: must hold …"): it stands beside the box.
  const message = error?.message.replace(/^q: /, "");
  return (
    <form class="inbox-search" role="search" aria-label="Search conversations" onSubmit={submit} noValidate>
      <label for={BOX}>Search: number, name, label or id</label>
      <div class="search-row">
        <input id={BOX} type="search" autoComplete="off" value={text} onInput={(e) => search.setText(e.currentTarget.value)}
          onKeyDown={keyDown} aria-invalid={error?.field === "q" ? true : undefined}
          aria-describedby={error ? `${BOX}-error` : undefined} />
        <button type="submit" class="secondary">Search</button>
      </div>
      {error ? <p class="field-error" id={`${BOX}-error`} role="alert">{message}</p> : null}
    </form>
  );
}

function found(count: number, more: boolean, loading: boolean): string {
  if (loading && count === 0) return "Searching…";
  if (count === 0 && !more) return "No conversations found";
  return `${count} conversation${count === 1 ? "" : "s"}${more ? " so far" : ""}`;
}

export function SearchResults({ search, selected }: { search: Search; selected: string | null }) {
  const { query, conversations, next, loading } = useStore(search);
  const list = useRef<HTMLDivElement>(null);
  // After Load more, the first of the new results takes the focus (the button may be gone).
  const firstNew = useRef<number | null>(null);
  useEffect(() => {
    const at = firstNew.current;
    const links = list.current?.querySelectorAll<HTMLElement>("a.inbox-item") ?? [];
    if (at !== null && links.length > at) {
      links[at].focus();
      firstNew.current = null;
    }
  }, [conversations]);
  const back = () => {
    search.clear();
    document.getElementById(BOX)?.focus();
  };
  const more = () => {
    firstNew.current = conversations.length;
    void search.more();
  };
  return (
    <section class="inbox-section search-results" aria-labelledby="results-title">
      <div class="results-head">
        <h3 id="results-title">Results for “{query}”</h3>
        <button type="button" class="secondary" onClick={back}>Back to inbox</button>
      </div>
      <p class="meta" aria-live="polite">{found(conversations.length, next !== null, loading)}</p>
      {!loading && conversations.length === 0 && !next
        ? <p class="muted">Try the last 4 digits of a number, the start of a name, a label's name or a conversation id.</p>
        : null}
      <div ref={list}><ConversationRows list={conversations} selected={selected} /></div>
      {next ? <button type="button" class="secondary" aria-disabled={loading || undefined} onClick={loading ? undefined : more}>
        Load more</button> : null}
    </section>
  );
}

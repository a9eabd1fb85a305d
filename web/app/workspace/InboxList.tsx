// The inbox: search, the agent's presence and free capacity, the offers (whatever is searched
// or filtered: each lapses unanswered, and that sets the agent away), then search results or,
// with the filters (state, workstream, label) and the order, the conversations the agent
// holds and the queues they can take from (in each, those the agent has the skills for
// first), all kept by the change feed; closed conversations a page at a time.

import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { problem } from "../api";
import { navigate } from "../router";
import { can } from "../session";
import { useStore } from "../store";
import type { AgentSkill, Conversation, Me } from "../types";
import { act, customerLabel } from "./conversation";
import type { Feed } from "./feed";
import { ClosedList, type InboxFilters, closedQueries, matches } from "./inbox";
import { ConversationRows, OfferRows, QueueRows, type Take } from "./InboxItems";
import { SearchBox, SearchResults } from "./InboxSearch";
import { hasLabel, labelKey, useLabels } from "./labels";
import { Search } from "./search";
import { yoursFirst } from "./skills";
import { type InboxSort, latestFirst, ordered } from "./sorting";
import { WorkBar } from "./WorkBar";

const STATES = [["", "All but closed"], ["open", "Open"], ["active", "Active"], ["waiting", "Waiting"],
  ["closed", "Closed"]];

interface Props {
  me: Me;
  feed: Feed;
  selected: string | null;
  workstreams: Map<string, string>;
  filters: InboxFilters;
  setFilters: (filters: InboxFilters) => void;
  sort: InboxSort;
  setSort: (sort: InboxSort) => void;
  take: Take;
  actionError: string | null;
}

const TAKE_ERROR_MS = 20_000;

/** Accept or decline an offer, take from a queue: true once done; why not is `error`'s, for
 *  20 s (by then the lists it was about have moved on), or until the next try. */
export function useTake(me: Me, feed: Feed) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!error) return undefined;
    const timer = setTimeout(() => setError(null), TAKE_ERROR_MS);
    return () => clearTimeout(timer);
  }, [error]);
  const take = async (c: Conversation, action: "accept" | "decline"): Promise<boolean> => {
    setError(null);
    try {
      feed.put(await act(c.id, action), me.id);
      if (action === "accept") navigate("inbox", c.id);
      return true;
    } catch (caught) {
      setError(`${customerLabel(c)}: ${problem(caught).message}`);
      return false;
    }
  };
  return { take, error };
}

export function InboxList(props: Props) {
  const { me, feed, selected, workstreams, filters, setFilters, sort, setSort, take, actionError } = props;
  const { loaded, error } = useStore(feed);
  const search = useMemo(() => new Search(), []);
  const searching = useStore(search).query !== null;
  return (
    <section class="inbox" aria-labelledby="inbox-title">
      <h2 id="inbox-title">Inbox</h2>
      <SearchBox search={search} />
      <WorkBar me={me} feed={feed} />
      {actionError ? <p class="notice error" role="alert">{actionError}</p> : null}
      {loaded ? <Offers feed={feed} sort={sort} selected={selected} take={take} /> : null}
      {searching ? <SearchResults search={search} selected={selected} /> : (
        <>
          <Filters filters={filters} setFilters={setFilters} workstreams={workstreams} />
          {filters.state === "closed" ? null : <SortChoice sort={sort} setSort={setSort} />}
          {error ? <p class="notice error" role="alert">The inbox could not be refreshed: {error}</p> : null}
          {!loaded ? <p class="muted">Loading…</p> : filters.state === "closed"
            ? <Closed me={me} filters={filters} selected={selected} />
            : <Live feed={feed} filters={filters} sort={sort} selected={selected} take={take} workstreams={workstreams}
              skills={me.skills} supervisesOnly={can(me, "supervisor") && !can(me, "agent") && !can(me, "admin") && me.supervises.length > 0} />}
        </>
      )}
    </section>
  );
}

function Filters({ filters, setFilters, workstreams }:
  { filters: InboxFilters; setFilters: (f: InboxFilters) => void; workstreams: Map<string, string> }) {
  const names = useLabels().labels.map((l) => l.name);
  // A label deleted while the inbox is filtered by it stays the select's choice.
  if (filters.label && !names.some((n) => labelKey(n) === labelKey(filters.label))) names.push(filters.label);
  return (
    <div class="filters">
      <label for="filter-state">State</label>
      <select id="filter-state" value={filters.state} onChange={(e) => setFilters({ ...filters, state: e.currentTarget.value })}>
        {STATES.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
      </select>
      <label for="filter-workstream">Workstream</label>
      <select id="filter-workstream" value={filters.workstream_id}
        onChange={(e) => setFilters({ ...filters, workstream_id: e.currentTarget.value })}>
        <option value="">All workstreams</option>
        {[...workstreams].map(([id, name]) => <option key={id} value={id}>{name}</option>)}
      </select>
      <label for="filter-label">Label</label>
      <select id="filter-label" value={filters.label} onChange={(e) => setFilters({ ...filters, label: e.currentTarget.value })}>
        <option value="">Any label</option>
        {names.map((name) => <option key={name} value={name}>{name}</option>)}
      </select>
    </div>
  );
}

const SORTS: [InboxSort, string][] = [["newest", "Newest"], ["due", "Due first"]];

/** Two options side by side: a radio group (arrow keys move between them). */
function SortChoice({ sort, setSort }: { sort: InboxSort; setSort: (sort: InboxSort) => void }) {
  return (
    <fieldset class="sort">
      <legend>Sort</legend>
      {SORTS.map(([value, text]) => (
        <label key={value}>
          <input type="radio" name="inbox-sort" value={value} checked={sort === value} onChange={() => setSort(value)} />
          <span>{text}</span>
        </label>
      ))}
    </fieldset>
  );
}

function Section({ id, title, count, children }:
  { id: string; title: string; count: number; children: ComponentChildren }) {
  return (
    <section class="inbox-section" aria-labelledby={id}>
      <h3 id={id}>{title} <span class="count">({count})</span></h3>
      {children}
    </section>
  );
}

/** Every offer, as it is made: neither a search nor a filter hides one. */
function Offers({ feed, sort, selected, take }: { feed: Feed; sort: InboxSort; selected: string | null; take: Take }) {
  const { offers } = useStore(feed);
  return offers.length ? (
    <Section id="offers-title" title="Offers" count={offers.length}>
      <OfferRows list={ordered(offers, sort)} selected={selected} take={take} />
    </Section>
  ) : null;
}

interface LiveProps {
  feed: Feed;
  filters: InboxFilters;
  sort: InboxSort;
  selected: string | null;
  take: Take;
  workstreams: Map<string, string>;
  skills: AgentSkill[];
  /** A supervisor without the agent role: nothing of theirs is live here, their workstreams'
   *  conversations are on Supervise. */
  supervisesOnly: boolean;
}

function Live({ feed, filters, sort, selected, take, workstreams, skills, supervisesOnly }: LiveProps) {
  const { offers, mine, queues, all } = useStore(feed);
  const shown = (list: Conversation[]) => ordered(list.filter((c) => matches(c, filters)), sort);
  const shownMine = shown(latestFirst(mine));
  const shownQueues = queues.map((q) => ({ ...q, conversations: yoursFirst(shown(q.conversations), skills) }))
    .filter((q) => q.conversations.length > 0);
  const listed = new Set([...offers, ...shownMine, ...shownQueues.flatMap((q) => q.conversations)].map((c) => c.id));
  const shownAll = all.filter((c) => c.state !== "closed" && matches(c, filters) && !listed.has(c.id));
  const total = listed.size + shownAll.length;
  return (
    <>
      <p class="visually-hidden" aria-live="polite">{`${total} conversation${total === 1 ? "" : "s"}, ${offers.length} offered`}</p>
      {total === 0 && supervisesOnly && !filters.label ? (
        <p class="muted">Your workstreams' live conversations are on the Supervise page (in the menu above).
          Search finds any; State: Closed lists the closed ones.</p>
      ) : total === 0 ? <p class="muted">{filters.label ? `No conversation here has the label ${filters.label}.`
        : "No conversations here yet."}</p> : null}
      {shownMine.length ? (
        <Section id="mine-title" title="Mine" count={shownMine.length}>
          <ConversationRows list={shownMine} selected={selected} />
        </Section>
      ) : null}
      {shownQueues.map((q) => (
        <Section key={`${q.workstream_id}/${q.queue}`} id={`queue-${q.workstream_id}-${q.queue ?? ""}`}
          title={`Queue: ${workstreams.get(q.workstream_id) ?? "workstream"} · ${q.queue ?? "no queue"}`} count={q.conversations.length}>
          <QueueRows list={q.conversations} selected={selected} take={take} skills={skills} />
        </Section>
      ))}
      {shownAll.length ? (
        <Section id="all-title" title="Everyone's, newest" count={shownAll.length}>
          <ConversationRows list={shownAll} selected={selected} fresh={false} />
        </Section>
      ) : null}
    </>
  );
}

function Closed({ me, filters, selected }: { me: Me; filters: InboxFilters; selected: string | null }) {
  const list = useMemo(() => new ClosedList(closedQueries(me, filters.workstream_id)), [me, filters.workstream_id]);
  const { conversations: read, more, loaded, error } = useStore(list);
  const conversations = read.filter((c) => hasLabel(c.labels, filters.label));
  useEffect(() => void list.more(), [list]);
  return (
    <Section id="closed-title" title="Closed" count={conversations.length}>
      {error ? <p class="notice error" role="alert">{error}</p> : null}
      {loaded && !more && conversations.length === 0
        ? <p class="muted">No closed conversations{filters.label ? ` with the label ${filters.label}` : ""}.</p> : null}
      <ConversationRows list={conversations} selected={selected} />
      {more && loaded ? <button type="button" class="secondary" onClick={() => void list.more()}>Show more</button> : null}
    </Section>
  );
}

// The inbox list with its filters: one row per conversation, from the list answer alone
// (no request per conversation).

import { when } from "../format";
import { href } from "../router";
import { useStore } from "../store";
import type { Conversation } from "../types";
import type { Inbox } from "./inbox";

const STATES = [["", "All but closed"], ["open", "Open"], ["active", "Active"], ["waiting", "Waiting"],
  ["closed", "Closed"]];

export function customerLabel(c: Conversation): string {
  return c.contact?.name || c.customer_name || c.customer;
}

interface Props {
  inbox: Inbox;
  selected: string | null;
  workstreams: Map<string, string>;
}

export function InboxList({ inbox, selected, workstreams }: Props) {
  const { filters, conversations, loaded, error } = useStore(inbox);
  const shown = filters.state ? conversations : conversations.filter((c) => c.state !== "closed");
  return (
    <section class="inbox" aria-labelledby="inbox-title">
      <h2 id="inbox-title">Inbox</h2>
      <div class="filters">
        <label for="filter-state">State</label>
        <select id="filter-state" value={filters.state} onChange={(e) => inbox.setFilters({ state: e.currentTarget.value })}>
          {STATES.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
        </select>
        <label for="filter-workstream">Workstream</label>
        <select id="filter-workstream" value={filters.workstream_id}
          onChange={(e) => inbox.setFilters({ workstream_id: e.currentTarget.value })}>
          <option value="">All workstreams</option>
          {[...workstreams].map(([id, name]) => <option key={id} value={id}>{name}</option>)}
        </select>
      </div>
      {error ? <p class="notice error" role="alert">The inbox could not be refreshed: {error}</p> : null}
      <p class="visually-hidden" aria-live="polite">{loaded ? `${shown.length} conversations` : ""}</p>
      {loaded && shown.length === 0 ? <p class="muted">No conversations here yet.</p> : null}
      <ul class="inbox-list">
        {shown.map((c) => (
          <li key={c.id}>
            <a href={href("inbox", c.id)} class={`inbox-item state-${c.state}`}
              aria-current={c.id === selected ? "true" : undefined}>
              <span class="who">{customerLabel(c)}</span>
              <span class={`badge state-${c.state}`}>{c.state}</span>
              <span class="meta">
                {c.channel === "whatsapp" ? "WhatsApp" : "SMS"} · {c.business}
                {c.queue ? ` · ${c.queue}` : ""}{c.agent ? ` · ${c.agent.name}` : ""}
              </span>
              <span class="meta"><time dateTime={c.last_activity_at}>{when(c.last_activity_at)}</time></span>
              {c.consent.state === "opted_out" ? <span class="badge warn">Opted out</span> : null}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

// The report's filters: a form whose "Show" puts them in the URL (the page reads them from
// there), and quick periods as links.

import { useEffect, useState } from "preact/hooks";
import type { Agent } from "../types";
import type { TeamWorkstream } from "../workspace/workstreams";
import { GROUPING_NAMES, GROUPINGS, type GroupBy, type ReportFilters, daysBefore, reportHref, today as todayIn } from "./query";

const NO_QUEUE = "(none)"; // the select's value for "no queue" (the API's queue=)

interface FiltersProps {
  filters: ReportFilters;
  workstreams: TeamWorkstream[];
  agents: Agent[];
  /** The time zones of the workstreams the report covers (where its days are). */
  zones: string[];
}

export function Filters({ filters, workstreams, agents, zones }: FiltersProps) {
  const [draft, setDraft] = useState(filters);
  const key = JSON.stringify(filters);
  useEffect(() => setDraft(filters), [key]);
  const set = (change: Partial<ReportFilters>) => setDraft((d) => ({ ...d, ...change }));
  const chosen = workstreams.find((w) => w.id === draft.workstream_id);
  const queues = [...new Set((chosen ? [chosen] : workstreams).flatMap((w) => w.queues))].sort();
  const show = (event: Event) => {
    event.preventDefault();
    window.location.hash = reportHref(draft);
  };
  const today = todayIn(zones);
  const period = (from: string) => reportHref({ ...filters, from, to: today });
  return (
    <form class="report-filters" aria-label="Report filters" onSubmit={show}>
      <div class="field">
        <label for="report-from">From</label>
        <input id="report-from" type="date" value={draft.from} max={draft.to} required
          onChange={(e) => set({ from: e.currentTarget.value })} />
      </div>
      <div class="field">
        <label for="report-to">To</label>
        <input id="report-to" type="date" value={draft.to} min={draft.from} required
          onChange={(e) => set({ to: e.currentTarget.value })} />
      </div>
      <div class="field">
        <label for="report-workstream">Workstream</label>
        <select id="report-workstream" value={draft.workstream_id ?? ""}
          onChange={(e) => set({ workstream_id: e.currentTarget.value || undefined, queue: undefined })}>
          <option value="">All {workstreams.length === 1 ? "" : `${workstreams.length} `}workstreams</option>
          {workstreams.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="report-queue">Queue</label>
        <select id="report-queue" value={draft.queue === undefined ? "" : draft.queue || NO_QUEUE}
          onChange={(e) => {
            const value = e.currentTarget.value;
            set({ queue: value === "" ? undefined : value === NO_QUEUE ? "" : value });
          }}>
          <option value="">All queues</option>
          <option value={NO_QUEUE}>No queue</option>
          {queues.map((q) => <option key={q} value={q}>{q}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="report-agent">Agent</label>
        <select id="report-agent" value={draft.agent_id ?? ""} onChange={(e) => set({ agent_id: e.currentTarget.value || undefined })}>
          <option value="">All agents</option>
          {agents.map((a) => <option key={a.id} value={a.id}>{a.name || a.id}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="report-channel">Channel</label>
        <select id="report-channel" value={draft.channel ?? ""} onChange={(e) => set({ channel: e.currentTarget.value || undefined })}>
          <option value="">All channels</option>
          <option value="sms">SMS</option>
          <option value="whatsapp">WhatsApp</option>
        </select>
      </div>
      <div class="field">
        <label for="report-group-by">Table by</label>
        <select id="report-group-by" value={draft.group_by} onChange={(e) => set({ group_by: e.currentTarget.value as GroupBy })}>
          {GROUPINGS.map((g) => <option key={g} value={g}>{GROUPING_NAMES[g]}</option>)}
        </select>
      </div>
      <div class="field actions">
        <button type="submit">Show</button>
      </div>
      <p class="periods">
        <span>Quick: </span>
        <a href={period(today)}>Today</a> · <a href={period(daysBefore(6, today))}>Last 7 days</a> ·{" "}
        <a href={period(daysBefore(29, today))}>Last 30 days</a> · <a href={period(daysBefore(89, today))}>Last 90 days</a>
      </p>
    </form>
  );
}

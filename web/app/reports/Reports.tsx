// The Reports page (supervisors for the workstreams they supervise, admins for all;
// docs/reports.md): filters, the totals, charts by day and hour with their tables, a table
// by agent (or queue, label, day, hour), every number opening the conversations behind it, and
// the CSV of every conversation the filters cover.

import { useMemo } from "preact/hooks";
import { useQuery } from "../router";
import { can } from "../session";
import type { Me } from "../types";
import { useWorkstreamList } from "../workspace/workstreams";
import { ReportCharts } from "./Charts";
import { useReportAgents, useSummaries } from "./data";
import { DrillDown } from "./Drill";
import { Filters } from "./Filters";
import { Breakdown, Totals } from "./Figures";
import { coveredZones, csvHref, drillGrouping, drillOf, filtersOf } from "./query";

export function Reports({ me }: { me: Me }) {
  const query = useQuery();
  const read = useWorkstreamList(me);
  const workstreams = (read ?? []).filter((w) => can(me, "admin") || me.supervises.includes(w.id));
  const zones = coveredZones(workstreams, query.get("workstream_id"));
  const filters = filtersOf(query, zones);
  // Without dates in the URL, they are today's in the workstreams' zones: asked once those are read.
  const dated = read !== null || (query.has("from") && query.has("to"));
  const drill = drillOf(query);
  const agents = useReportAgents(me, workstreams);
  const { summaries, error, loading } = useSummaries(filters, ["day", "hour", filters.group_by], dated);
  const { day, hour } = summaries;
  const table = summaries[filters.group_by];
  const agentNames = useMemo(() => {
    const names = new Map(agents.map((a) => [a.id, a.name || a.id]));
    summaries.agent?.groups.forEach((g) => names.set(g.key, g.label));
    return names;
  }, [agents, summaries.agent]);
  const workstreamNames = new Map(workstreams.map((w) => [w.id, w.name]));
  const scope = filters.workstream_id ? workstreamNames.get(filters.workstream_id) ?? "one workstream"
    : can(me, "admin") ? "every workstream" : "the workstreams you supervise";
  return (
    <div class="page reports">
      <h2>Reports</h2>
      <p class="meta">
        Conversations created {filters.from === filters.to ? `on ${filters.from}` : `from ${filters.from} to ${filters.to}`}
        {" "}in {scope}, by each workstream's own day. Every number opens the conversations behind it.
      </p>
      <Filters filters={filters} workstreams={workstreams} agents={agents} zones={zones} />
      <p class="download">
        <a href={csvHref(filters)} download>Download CSV</a>
        <span class="meta"> one row per conversation these filters cover{can(me, "admin")
          ? ", with the customer's number" : ""}</span>
      </p>
      {error ? <p class="notice error" role="alert">{error}</p> : null}
      {loading && !day ? <p class="muted" aria-live="polite">Loading…</p> : null}
      {drill && dated ? <DrillDown filters={filters} drill={drill} by={drillGrouping(query, filters)} agentNames={agentNames}
        workstreamNames={workstreamNames} /> : null}
      {day ? <Totals filters={filters} total={day.total} currency={day.currency} /> : null}
      {day && hour ? <ReportCharts filters={filters} byDay={day} byHour={hour} /> : null}
      {table ? <Breakdown filters={filters} summary={table} /> : null}
    </div>
  );
}

// A report's filters and the figure whose conversations are listed, kept in the URL's
// fragment (#/reports?from=...&to=...&group_by=agent&group=<key>&measure=answered), so a
// report, and the conversations behind one of its figures, can be linked, reloaded and
// left with the back button; the same filters go to every report route and the CSV.

import { withQuery } from "../api";
import { hrefWithQuery } from "../router";
import { type TeamWorkstream, zoneOf } from "../workspace/workstreams";

export const MEASURES = ["conversations", "answered", "abandoned", "bot_resolved", "wait_seconds",
  "first_response_seconds", "handle_seconds", "csat", "sla_first_response", "sla_next_response", "sla_resolution",
  "estimated_cost"] as const;
export type Measure = (typeof MEASURES)[number];

/** The service-level targets (core/sla.py), each figure's measure the conversations with a clock of it that ended. */
export const SLA_TARGETS = ["first_response", "next_response", "resolution"] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];
export const slaMeasure = (target: SlaTarget) => `sla_${target}` as const;

export const GROUPINGS = ["agent", "queue", "label", "workstream", "category", "day", "hour"] as const;
export type GroupBy = (typeof GROUPINGS)[number];

export const MEASURE_NAMES: Record<Measure, string> = {
  conversations: "Conversations",
  answered: "Answered",
  abandoned: "Abandoned",
  bot_resolved: "Resolved by the bot",
  wait_seconds: "Wait",
  first_response_seconds: "First response",
  handle_seconds: "Handle time",
  csat: "Satisfaction (CSAT)",
  sla_first_response: "First response SLA",
  sla_next_response: "Next response SLA",
  sla_resolution: "Resolution SLA",
  estimated_cost: "Estimated cost",
};

export const GROUPING_NAMES: Record<GroupBy, string> = {
  agent: "Agent", queue: "Queue", label: "Label", workstream: "Workstream", category: "Message category", day: "Day",
  hour: "Hour of day",
};

/** Undefined: not filtered. `queue: ""` is "no queue" (conversations no queue took). */
export interface ReportFilters {
  from: string;
  to: string;
  workstream_id?: string;
  queue?: string;
  agent_id?: string;
  channel?: string;
  group_by: GroupBy;
}

/** The figure whose conversations are listed: a measure, of one group (by `group_by`) or of all. */
export interface Drill {
  measure: Measure;
  group?: string;
  /** The group's name as the report shows it ("Ada", "Mon 3 Feb"). */
  label?: string;
}

/** YYYY-MM-DD of a local day. */
export function isoDay(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** Today as the API's default period ends it: the latest of the days it is in the `zones`
 *  of the workstreams a report covers (each files its days in its own; UTC's before they
 *  are known), wherever the browser is. */
export function today(zones: string[]): string {
  return (zones.length ? zones : ["UTC"]).map(dayIn).sort().at(-1)!;
}

function dayIn(zone: string): string {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date());
    const part = (type: string) => parts.find((p) => p.type === type)?.value;
    return `${part("year")}-${part("month")}-${part("day")}`;
  } catch {
    return new Date().toISOString().slice(0, 10); // a zone this browser does not know
  }
}

export function daysBefore(days: number, from: string): string {
  const day = new Date(`${from}T12:00:00`);
  day.setDate(day.getDate() - days);
  return isoDay(day);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const present = (query: URLSearchParams, name: string) => (query.has(name) ? query.get(name)! : undefined);
const nonEmpty = (query: URLSearchParams, name: string) => query.get(name) || undefined;

/** The filters a URL's query names; the last 7 days (today in `zones`, see `today`, and the
 *  6 before) by default. */
export function filtersOf(query: URLSearchParams, zones: string[]): ReportFilters {
  const to = DAY.test(query.get("to") ?? "") ? query.get("to")! : today(zones);
  const from = DAY.test(query.get("from") ?? "") ? query.get("from")! : daysBefore(6, to);
  const groupBy = query.get("group_by") as GroupBy;
  return {
    from, to, workstream_id: nonEmpty(query, "workstream_id"), queue: present(query, "queue"),
    agent_id: nonEmpty(query, "agent_id"), channel: nonEmpty(query, "channel"),
    group_by: GROUPINGS.includes(groupBy) ? groupBy : "agent",
  };
}

export function drillOf(query: URLSearchParams): Drill | null {
  const measure = query.get("measure") as Measure;
  if (!MEASURES.includes(measure)) return null;
  return { measure, group: present(query, "group"), label: nonEmpty(query, "label") };
}

/** The API's query for these filters, with `group_by` as given (a chart's own grouping). */
export function apiQuery(f: ReportFilters, groupBy: GroupBy = f.group_by): Record<string, string | undefined> {
  return { from: f.from, to: f.to, workstream_id: f.workstream_id, queue: f.queue, agent_id: f.agent_id,
    channel: f.channel, group_by: groupBy };
}

/** The Reports page for these filters; with a drill, the conversations behind that figure.
 *  `groupBy`: the grouping the drill's group is a key of (a chart's own). */
export function reportHref(f: ReportFilters, drill?: Drill, groupBy: GroupBy = f.group_by): string {
  const figure = drill ? { measure: drill.measure, group: drill.group, label: drill.label, by: groupBy } : {};
  return hrefWithQuery(["reports"], { ...apiQuery(f), ...figure });
}

/** The grouping a drill's group belongs to (a chart's day or hour, or the table's). */
export function drillGrouping(query: URLSearchParams, f: ReportFilters): GroupBy {
  const by = query.get("by") as GroupBy;
  return GROUPINGS.includes(by) ? by : f.group_by;
}

/** Every conversation these filters cover, one row each, as CSV. */
export function csvHref(f: ReportFilters): string {
  return `/api${withQuery("/reports/conversations.csv", apiQuery(f))}`;
}

/** The time zones of the workstreams a report covers: the one it names, else every one. */
export function coveredZones(workstreams: TeamWorkstream[], workstreamId: string | null): string[] {
  const covered = workstreamId ? workstreams.filter((w) => w.id === workstreamId) : workstreams;
  return [...new Set(covered.map(zoneOf))];
}

// What the Reports page reads: the summaries its charts and table need (one call per
// grouping, all at once), the people its agent filter offers, and a figure's conversations
// a page at a time.

import { useEffect, useRef, useState } from "preact/hooks";
import { api, problem } from "../api";
import { can } from "../session";
import type { Agent, Me, ReportConversation, ReportConversations, SummaryReport } from "../types";
import type { TeamWorkstream } from "../workspace/workstreams";
import { type Drill, type GroupBy, type ReportFilters, apiQuery } from "./query";

export type Summaries = Partial<Record<GroupBy, SummaryReport>>;

/** The summary of each grouping asked for, read again when the filters change, and first
 *  once `ready` (the filters are final). */
export function useSummaries(filters: ReportFilters, groupings: GroupBy[], ready = true) {
  const [summaries, setSummaries] = useState<Summaries>({});
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const wanted = [...new Set(groupings)];
  const key = JSON.stringify([apiQuery(filters), wanted, ready]);
  useEffect(() => {
    if (!ready) return undefined;
    let current = true;
    setLoading(true);
    Promise.all(wanted.map((by) => api.get<SummaryReport>("/reports/summary", apiQuery(filters, by))))
      .then((answers) => {
        if (!current) return;
        setSummaries(Object.fromEntries(answers.map((answer) => [answer.group_by, answer])));
        setError(null);
      }, (caught) => current && setError(problem(caught).message))
      .finally(() => current && setLoading(false));
    return () => { current = false; };
  }, [key]);
  return { summaries, error, loading };
}

/** Whom the agent filter offers: an admin every person in the directory; a supervisor the
 *  agents of each workstream they supervise (one call per workstream). */
export function useReportAgents(me: Me, workstreams: TeamWorkstream[]): Agent[] {
  const [agents, setAgents] = useState<Agent[]>([]);
  const ids = workstreams.map((w) => w.id).join(",");
  useEffect(() => {
    const read = can(me, "admin")
      ? api.get<{ agents: Agent[] }>("/admin/agents").then((answer) => answer.agents)
      : Promise.all(workstreams.map((w) => api.get<{ agents: Agent[] }>(`/workstreams/${encodeURIComponent(w.id)}/agents`)
        .then((answer) => answer.agents, () => []))).then((lists) => lists.flat());
    read.then((list) => {
      const unique = new Map(list.map((a) => [a.id, a]));
      setAgents([...unique.values()].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id)));
    }, () => undefined);
  }, [me, ids]);
  return agents;
}

const PAGE = 50;

/** The conversations behind one figure; `more()` reads the next page. */
export function useDrill(filters: ReportFilters, drill: Drill | null, by: GroupBy) {
  const [rows, setRows] = useState<ReportConversation[]>([]);
  const [continuation, setContinuation] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const query = drill ? { ...apiQuery(filters, by), group: drill.group, measure: drill.measure, limit: PAGE } : null;
  const key = JSON.stringify(query);
  const shown = useRef(key);
  shown.current = key;
  const read = async (after: string | null) => {
    const current = () => shown.current === key;
    setLoading(true);
    try {
      const page = await api.get<ReportConversations>("/reports/conversations", { ...query, continuation: after });
      if (!current()) return;
      const read = inOrder(page.conversations);
      setRows((listed) => (after ? [...listed, ...read] : read));
      setContinuation(page.continuation);
      setError(null);
    } catch (caught) {
      if (current()) setError(problem(caught).message);
    } finally {
      if (current()) setLoading(false);
    }
  };
  useEffect(() => {
    setRows([]);
    setContinuation(null);
    setError(null);
    if (query) void read(null);
  }, [key]);
  return { rows, continuation, loading, error, more: () => read(continuation) };
}

/** A page's rows oldest first: pages come day by day, a day's rows by conversation id, so
 *  each page in order and appended keeps what was read in its place. */
function inOrder(rows: ReportConversation[]): ReportConversation[] {
  return [...rows].sort((a, b) => a.created_at.localeCompare(b.created_at));
}

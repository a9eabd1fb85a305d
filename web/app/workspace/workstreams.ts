// The workstreams the signed-in person works with, by name and with their queues: an
// admin reads every one; others read each of theirs (GET /api/workstreams/{id}), one
// request per workstream they work or supervise, never one per conversation (and one more
// for a workstream the lists show that was not theirs, or not there, when the page loaded).

import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { can } from "../session";
import type { Me } from "../types";

export interface TeamWorkstream {
  id: string;
  name: string;
  channel: string;
  queues: string[];
  /** The zone its reports' days are in: the team's read names it (GET /api/workstreams/{id}),
   *  an admin's list has its operating hours (none: UTC). */
  time_zone?: string;
  operating_hours?: { time_zone: string } | null;
}

export function zoneOf(w: TeamWorkstream): string {
  return w.time_zone ?? w.operating_hours?.time_zone ?? "UTC";
}

export function teamIds(me: Me): string[] {
  const worked = can(me, "agent") ? me.queues.map((q) => q.workstream_id) : [];
  return [...new Set([...worked, ...(can(me, "supervisor") ? me.supervises : [])])];
}

async function load(me: Me): Promise<TeamWorkstream[]> {
  if (can(me, "admin")) return (await api.get<{ workstreams: TeamWorkstream[] }>("/admin/workstreams")).workstreams;
  return readEach(teamIds(me));
}

/** Each of `ids` this person may read (one they may not is left out). */
async function readEach(ids: string[]): Promise<TeamWorkstream[]> {
  const read = await Promise.all(ids.map((id) =>
    api.get<TeamWorkstream>(`/workstreams/${encodeURIComponent(id)}`).catch(() => null)));
  return read.filter((w): w is TeamWorkstream => w !== null);
}

/** The workstreams `me` works with, read once, and again for each of `seen` (those the
 *  lists show) it does not name: one an admin created, or gave this person, since. */
export function useWorkstreams(me: Me, seen: string[] = []): TeamWorkstream[] {
  return useWorkstreamList(me, seen) ?? [];
}

/** As `useWorkstreams`, null until the first read answers. */
export function useWorkstreamList(me: Me, seen: string[] = []): TeamWorkstream[] | null {
  const [list, setList] = useState<TeamWorkstream[] | null>(null);
  const asked = useRef(new Set<string>());
  useEffect(() => {
    load(me).then(setList, () => setList([]));
  }, [me]);
  const missing = list === null ? [] : [...new Set(seen)].filter((id) => !asked.current.has(id) && !list.some((w) => w.id === id));
  useEffect(() => {
    if (!missing.length) return;
    missing.forEach((id) => asked.current.add(id)); // once each: one not readable is not asked for again
    const found = can(me, "admin") ? load(me) : readEach(missing);
    found.then((more) => setList((now) => [...(now ?? []).filter((w) => !more.some((m) => m.id === w.id)), ...more]),
      () => undefined);
  }, [missing.join(" ")]);
  return list;
}


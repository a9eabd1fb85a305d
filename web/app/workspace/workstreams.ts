// The workstreams the signed-in person works with, by name and with their queues: an
// admin reads every one; others read each of theirs (GET /api/workstreams/{id}), one
// request per workstream they work or supervise, never one per conversation.

import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { can } from "../session";
import type { Me } from "../types";

export interface TeamWorkstream {
  id: string;
  name: string;
  channel: string;
  queues: string[];
}

export function teamIds(me: Me): string[] {
  const worked = can(me, "agent") ? me.queues.map((q) => q.workstream_id) : [];
  return [...new Set([...worked, ...(can(me, "supervisor") ? me.supervises : [])])];
}

async function load(me: Me): Promise<TeamWorkstream[]> {
  if (can(me, "admin")) return (await api.get<{ workstreams: TeamWorkstream[] }>("/admin/workstreams")).workstreams;
  const read = await Promise.all(teamIds(me).map((id) =>
    api.get<TeamWorkstream>(`/workstreams/${encodeURIComponent(id)}`).catch(() => null)));
  return read.filter((w): w is TeamWorkstream => w !== null);
}

export function useWorkstreams(me: Me): TeamWorkstream[] {
  const [list, setList] = useState<TeamWorkstream[]>([]);
  useEffect(() => {
    load(me).then(setList, () => undefined);
  }, [me]);
  return list;
}

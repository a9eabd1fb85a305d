// The agents of a workstream with their presence and load (GET /api/workstreams/{id}/agents):
// whom a conversation can be transferred or assigned to.

import { useCallback, useEffect, useState } from "preact/hooks";
import { api, problem } from "../api";
import { channelName, label } from "../format";
import type { Agent, Work } from "../types";
import { places } from "./WorkBar";

/** Read when `wanted`, and again whenever `refresh` changes. */
export function useWorkstreamAgents(workstreamId: string | null, wanted = true, refresh = 0) {
  const [agents, setAgents] = useState<Agent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    if (!workstreamId) return;
    try {
      const answer = await api.get<{ agents: Agent[] }>(`/workstreams/${encodeURIComponent(workstreamId)}/agents`);
      setAgents(answer.agents);
      setError(null);
    } catch (caught) {
      setError(problem(caught).message);
    }
  }, [workstreamId]);
  useEffect(() => {
    if (wanted) void reload();
  }, [reload, wanted, refresh]);
  return { agents, error, reload };
}

/** "Bo (available, 2 of 3 SMS free)": enough to choose whom to give a conversation of
 *  `channel` (the places it could take, not what they hold, so a full agent reads full;
 *  `offered`: the conversation is offered to them, its place counted in their load). */
export function agentSummary(a: Agent, channel: string, offered = false): string {
  const { capacity, free } = places({ capacity: a.capacity ?? {}, load: a.load ?? {} }, channel as keyof Work["load"]);
  const shown = Math.min(capacity, free + (offered ? 1 : 0));
  return `${a.name} (${label(a.presence ?? "offline")}, ${shown} of ${capacity} ${channelName(channel)} free)`;
}

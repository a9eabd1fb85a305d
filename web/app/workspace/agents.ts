// The agents of a workstream with their presence and load (GET /api/workstreams/{id}/agents):
// whom a conversation can be transferred or assigned to.

import { useCallback, useEffect, useState } from "preact/hooks";
import { api, problem } from "../api";
import { label } from "../format";
import type { Agent } from "../types";

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

/** "Bo (available, 1 SMS)": enough to choose whom to give a conversation. */
export function agentSummary(a: Agent): string {
  const load = Object.entries(a.load ?? {}).filter(([, n]) => n > 0)
    .map(([channel, n]) => `${n} ${channel === "sms" ? "SMS" : "WhatsApp"}`);
  return `${a.name} (${label(a.presence ?? "offline")}${load.length ? `, ${load.join(", ")}` : ""})`;
}

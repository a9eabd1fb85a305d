// The agents of a workstream with their presence and load (GET /api/workstreams/{id}/agents):
// whom a conversation can be transferred or assigned to.

import { useCallback, useEffect, useState } from "preact/hooks";
import { api, problem } from "../api";
import { channelName, label } from "../format";
import type { Agent, Conversation, Work } from "../types";
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

/** An agent of the list as the work bar reads a person's own work. */
export function workOf(a: Agent): Work {
  return { presence: a.presence ?? "offline", load: a.load ?? {}, capacity: a.capacity ?? {} };
}

/** "Bo (available, 2 of 3 SMS free)": enough to choose whom to give `conversation` (the
 *  places of its channel they could take, not what they hold, so a full agent reads full;
 *  one it is offered to has its place counted in their load already). */
export function agentSummary(a: Agent, conversation: Conversation): string {
  const { channel } = conversation;
  const { capacity, free } = places(workOf(a), channel as keyof Work["load"]);
  const shown = Math.min(capacity, free + (conversation.offer?.agent.id === a.id ? 1 : 0));
  return `${a.name} (${label(a.presence ?? "offline")}, ${shown} of ${capacity} ${channelName(channel)} free)`;
}

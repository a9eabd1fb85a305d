// The supervisor's view: for each workstream they supervise (an admin: every workstream),
// its live figures (per queue, its agents by presence, today so far: LiveTiles), its live
// conversations with Assign, and its agents with presence and load, read again whenever the
// change feed reports the workstream changed (the live figures, and the agents with them,
// also every 15 s); and, as in the inbox, the service-level alerts of those workstreams and
// the notes that name the supervisor.

import { useEffect, useState } from "preact/hooks";
import { api, problem } from "../api";
import { channelName } from "../format";
import { href } from "../router";
import { can } from "../session";
import { useStore } from "../store";
import type { Agent, Conversation, LiveReport, Me } from "../types";
import { agentSummary, useWorkstreamAgents, workOf } from "./agents";
import { assign, customerLabel } from "./conversation";
import { type TeamWorkstream, useWorkstreams } from "./workstreams";
import { freeCapacity } from "./WorkBar";
import { useFeed } from "./feed";
import { useLiveReport } from "./liveReport";
import { LiveTiles } from "./LiveTiles";
import { MentionToasts } from "./MentionToasts";
import { SlaToasts } from "./SlaToasts";

export function Supervisor({ me }: { me: Me }) {
  const { feed } = useFeed(me);
  const { watched } = useStore(feed);
  const workstreams = useWorkstreams(me).filter((w) => can(me, "admin") || me.supervises.includes(w.id));
  const live = useLiveReport(watched);
  return (
    <div class="page supervisor">
      <h2>Supervise</h2>
      <p class="meta">Kept current as conversations move. Earlier days, and the conversations behind each
        figure: <a href={href("reports")}>Reports</a>.</p>
      {workstreams.length === 0 ? <p class="muted">You supervise no workstream yet: an admin gives you one on the
        Agents page.</p> : null}
      {workstreams.map((w) => <Board key={w.id} workstream={w} watched={watched} live={live} />)}
      <div class="toasts">
        <SlaToasts feed={feed} />
        <MentionToasts feed={feed} me={me} />
      </div>
    </div>
  );
}

const LIVE = ["open", "active", "waiting"];

/** The workstream's live conversations, by state (each list one storage query). */
function useLive(workstreamId: string, watched: number) {
  const [list, setList] = useState<Conversation[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = async () => {
    try {
      const pages = await Promise.all(LIVE.map((state) => api.get<{ conversations: Conversation[] }>(
        "/conversations", { view: "workstream", workstream_id: workstreamId, state, limit: 100 })));
      setList(pages.flatMap((page) => page.conversations));
      setError(null);
    } catch (caught) {
      setError(problem(caught).message);
    }
  };
  useEffect(() => void reload(), [workstreamId, watched]);
  return { list, error, reload };
}

interface BoardProps {
  workstream: TeamWorkstream;
  watched: number;
  live: { report: LiveReport | null; error: string | null };
}

function Board({ workstream, watched, live }: BoardProps) {
  const { list, error, reload } = useLive(workstream.id, watched);
  // Read again with the live figures (each change, and every 15 s): a change of presence moves
  // no conversation, so the change feed alone would leave it unseen.
  const asOf = live.report?.as_of;
  const agents = useWorkstreamAgents(workstream.id, true, asOf ? Date.parse(asOf) : -1);
  const assigned = () => Promise.all([reload(), agents.reload()]);
  const figures = live.report?.workstreams.find((w) => w.workstream_id === workstream.id);
  return (
    <section class="board" aria-labelledby={`board-${workstream.id}`}>
      <h3 id={`board-${workstream.id}`}>{workstream.name} <span class="meta">({channelName(workstream.channel)})</span></h3>
      <LiveTiles live={figures} read={live.report !== null} asOf={live.report?.as_of} error={live.error} />
      <h4>Live conversations</h4>
      {error ? <p class="notice error" role="alert">{error}</p> : null}
      <Conversations list={list} agents={agents.agents} onAssigned={assigned} />
      <Agents agents={agents.agents} error={agents.error} id={workstream.id} />
    </section>
  );
}

function Conversations({ list, agents, onAssigned }:
  { list: Conversation[]; agents: Agent[]; onAssigned: () => Promise<unknown> }) {
  if (list.length === 0) return <p class="muted">No live conversations.</p>;
  return (
    <table>
      <caption class="visually-hidden">Live conversations</caption>
      <thead><tr><th>Customer</th><th>State</th><th>Queue</th><th>Held by or offered to</th><th>Assign</th></tr></thead>
      <tbody>
        {list.map((c) => (
          <tr key={c.id}>
            <td><a href={href("inbox", c.id)}>{customerLabel(c)}</a></td>
            <td><span class={`badge state-${c.state}`}>{c.state}</span></td>
            <td>{c.queue ? c.queue : <span class="badge warn unqueued">Unqueued</span>}</td>
            <td>{c.agent?.name ?? (c.offer ? `offered to ${c.offer.agent.name}` : "–")}</td>
            <td><AssignForm conversation={c} agents={agents} onAssigned={onAssigned} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AssignForm({ conversation, agents, onAssigned }:
  { conversation: Conversation; agents: Agent[]; onAssigned: () => Promise<unknown> }) {
  const [agentId, setAgentId] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [conversation.version]); // a refusal is of the row as it was
  const who = customerLabel(conversation);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await assign(conversation.id, agentId);
      setAgentId("");
      await onAssigned();
    } catch (caught) {
      setError(problem(caught).message);
    }
  };
  const id = `assign-${conversation.id}`;
  return (
    <form class="assign" onSubmit={submit} aria-label={`Assign ${who}`}>
      <label class="visually-hidden" for={id}>Agent for {who}</label>
      <select id={id} value={agentId} onChange={(e) => setAgentId(e.currentTarget.value)} required>
        <option value="">Choose an agent</option>
        {agents.filter((a) => a.id !== conversation.agent?.id)
          .map((a) => <option key={a.id} value={a.id}>{agentSummary(a, conversation)}</option>)}
      </select>
      <button type="submit" class="secondary">Assign</button>
      {error ? <p class="notice error" role="alert">{error}</p> : null}
    </form>
  );
}

function Agents({ agents, error, id }: { agents: Agent[]; error: string | null; id: string }) {
  return (
    <section aria-labelledby={`agents-${id}`}>
      <h4 id={`agents-${id}`}>Agents</h4>
      {error ? <p class="notice error" role="alert">{error}</p> : null}
      {agents.length === 0 ? <p class="muted">No agent works its queues.</p> : (
        <table>
          <thead><tr><th>Agent</th><th>Presence</th><th>Free capacity</th></tr></thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td><span class={`presence-dot presence-${a.presence ?? "offline"}`} />{a.presence ?? "offline"}</td>
                <td>{freeCapacity(workOf(a))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

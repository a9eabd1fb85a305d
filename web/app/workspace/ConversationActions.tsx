// What can be done with the open conversation: accept or decline an offer, take it, park
// it (Wait), return it to its queue, close it, and transfer it to an agent or a queue.
// Close opens the wrap-up (CloseDialog) where the workstream has dispositions, or while the
// customer's last messages have no answer (it asks first); otherwise it closes at once.

import { useEffect, useRef, useState } from "preact/hooks";
import { can } from "../session";
import type { CloseBody, Conversation, Me } from "../types";
import { agentSummary, useWorkstreamAgents } from "./agents";
import { CloseDialog } from "./CloseDialog";
import { type Action, type Target, answerRefused, unanswered } from "./conversation";

interface Props {
  conversation: Conversation;
  me: Me;
  run: (action: Action) => void;
  move: (target: Target) => void;
  /** Closes it with the wrap-up; a refusal is thrown, for the dialog to show. */
  closeWith: (wrap: CloseBody) => Promise<void>;
  /** Drops what the last action's refusal said (the transfer opened or closed: it is about
   *  another choice now). */
  forget: () => void;
}

export function ConversationActions({ conversation, me, run, move, closeWith, forget }: Props) {
  const { state, agent, offer } = conversation;
  const mine = agent?.id === me.id;
  const offeredToMe = offer?.agent.id === me.id;
  const oversees = can(me, "admin") || (can(me, "supervisor") && me.supervises.includes(conversation.workstream_id ?? ""));
  const live = state !== "closed";
  const takeable = !mine && answerRefused(conversation, me) === null;
  // Closing: its holder, an agent who may take it, a supervisor of its workstream, an admin.
  const closable = mine || oversees || (can(me, "agent") && !agent);
  const [closing, setClosing] = useState(false);
  const closeButton = useRef<HTMLButtonElement>(null);
  const waiting = unanswered(conversation);
  const wrapUp = (conversation.workstream?.wrap_up.dispositions ?? []).length > 0;
  // Without a wrap-up, asked only while something is still unanswered: a reply read meanwhile ends the question.
  useEffect(() => { if (waiting === 0 && !wrapUp) setClosing(false); }, [waiting, wrapUp]);
  const asking = closing && live && (waiting > 0 || wrapUp);
  const close = () => (waiting > 0 || wrapUp ? setClosing(true) : run("close"));
  const keepOpen = () => {
    setClosing(false);
    closeButton.current?.focus();
  };
  return (
    <>
    <div class="actions" role="group" aria-label="Conversation actions">
      {live && takeable ? <button type="button" onClick={() => run("accept")}>Accept</button> : null}
      {offeredToMe ? <button type="button" class="secondary" onClick={() => run("decline")}>Decline</button> : null}
      {state === "active" && mine ? <button type="button" class="secondary" onClick={() => run("wait")}>Wait</button> : null}
      {live && agent && (mine || oversees)
        ? <button type="button" class="secondary" onClick={() => run("unassign")}>Return to queue</button> : null}
      {live && closable ? <button type="button" class="secondary" ref={closeButton} onClick={close}>Close</button> : null}
      {live && conversation.workstream && (mine || oversees) ? <Transfer conversation={conversation} move={move} forget={forget} /> : null}
    </div>
    {asking ? <CloseDialog conversation={conversation} waiting={waiting} onClose={closeWith} onCancel={keepOpen} /> : null}
    </>
  );
}

const AGENTS_EVERY_MS = 10_000;

/** The agents with their presence and free places, read when it opens and again every 10 s
 *  while it stays open: whom to choose changes as they work. */
function Transfer({ conversation, move, forget }:
  { conversation: Conversation; move: (target: Target) => void; forget: () => void }) {
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!open) return undefined;
    const timer = setInterval(() => setTick((n) => n + 1), AGENTS_EVERY_MS);
    return () => clearInterval(timer);
  }, [open]);
  const { agents, error } = useWorkstreamAgents(conversation.workstream_id, open, tick);
  const others = agents.filter((a) => a.id !== conversation.agent?.id);
  const submit = (event: Event) => {
    event.preventDefault();
    const [kind, value] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
    if (kind === "agent") move({ agent_id: value });
    if (kind === "queue") move({ queue: value || null });
  };
  return (
    <details class="transfer" onToggle={(e) => {
      setOpen((e.currentTarget as HTMLDetailsElement).open);
      forget();
    }}>
      <summary>Transfer</summary>
      <form aria-label="Transfer" onSubmit={submit}>
        <label for="transfer-target">Transfer to</label>
        <select id="transfer-target" value={target} onChange={(e) => setTarget(e.currentTarget.value)} required>
          <option value="">Choose an agent or a queue</option>
          <optgroup label="Agents">
            {others.map((a) => <option key={a.id} value={`agent:${a.id}`}>{agentSummary(a, conversation)}</option>)}
          </optgroup>
          <optgroup label="Queues">
            {(conversation.workstream?.queues ?? []).map((q) => <option key={q} value={`queue:${q}`}>Queue {q}</option>)}
            <option value="queue:">No queue</option>
          </optgroup>
        </select>
        <button type="submit">Transfer</button>
        {error ? <p class="notice error" role="alert">{error}</p> : null}
      </form>
    </details>
  );
}

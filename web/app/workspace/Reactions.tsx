// Agents' reactions to customers' messages (POST …/messages/{id}/reaction): an agent's
// latest reaction under the message ("You reacted 👍", or the colleague's name), and on a
// customer's message a small React button opening a few emoji (and Remove once one is set).
// Where the conversation cannot take reactions (SMS, Twilio, the 24-hour window closed) the
// API says why (`reactions`), and the list shows that reason once instead of any control.
// Escape closes the choice, the focus back on React; a refusal shows beside the button.

import { useRef, useState } from "preact/hooks";
import { type ApiError, api, problem } from "../api";
import type { Conversation, Me, Message } from "../types";
import { newKey, outcomeUnknown } from "./conversation";

const CHOICES: [string, string][] = [["👍", "thumbs up"], ["❤️", "heart"], ["😂", "laughing"], ["😮", "surprised"],
  ["🙏", "thank you"]];
const STATUS_NOTE: Record<string, string> = { sending: "sending", retrying: "retrying", failed: "not sent",
  not_sent: "not sent", undelivered: "not delivered" };

type AgentReaction = NonNullable<Message["agent_reaction"]>;

export function AgentReactionNote({ message: m, me }: { message: Message; me?: Me }) {
  const r = m.agent_reaction;
  if (!r || (!r.emoji && !STATUS_NOTE[r.status])) return null;
  const who = r.agent && me && r.agent.id === me.id ? "You" : r.agent?.name ?? "An agent";
  const status = STATUS_NOTE[r.status];
  return (
    <p class={`reaction agent-reaction${status === "not sent" ? " bad" : ""}`}>
      {r.emoji ? <>{who} reacted <span class="emoji">{r.emoji}</span></> : <>{who} removed a reaction</>}
      {status ? ` (${status}${r.error?.message ? `: ${r.error.message}` : ""})` : ""}
    </p>
  );
}

/** Whether the message can take a reaction at all: the customer's, named by the provider. */
export function reactable(m: Message): boolean {
  return m.direction === "inbound" && !!m.provider_message_id && m.kind !== "reaction";
}

/** The reason no reaction can be sent here, shown once above the messages: on WhatsApp only,
 *  where an agent may look for the action (SMS has no reactions, so nothing needs saying). */
export function ReactionsNote({ conversation: c }: { conversation: Conversation }) {
  const r = c.reactions;
  if (!r || r.allowed || c.channel !== "whatsapp" || !(c.messages ?? []).some(reactable)) return null;
  return <p class="muted reactions-note">No reactions here: {r.reason}.</p>;
}

interface Props {
  conversation: Conversation;
  message: Message;
  onReacted: () => Promise<void>;
}

export function ReactButton({ conversation, message: m, onReacted }: Props) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const key = useRef<{ emoji: string; key: string } | null>(null);
  const panel = `react-${m.id}`;
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const react = async (emoji: string) => {
    // One key per choice, kept while it is asked again after no answer: sent once either way.
    if (!key.current || key.current.emoji !== emoji) key.current = { emoji, key: newKey() };
    const headers = { "Idempotency-Key": key.current.key };
    setBusy(true);
    setError(null);
    try {
      await api.post(`/conversations/${conversation.id}/messages/${m.id}/reaction`, { emoji }, headers);
      key.current = null;
      close();
      await onReacted();
    } catch (caught) {
      const refused = problem(caught);
      if (!outcomeUnknown(refused)) key.current = null; // an answer was had: a new try is a new request
      setError(refused);
    } finally {
      setBusy(false);
    }
  };
  const current: AgentReaction | undefined = m.agent_reaction ?? undefined;
  return (
    <div class="react" onKeyDown={(e) => { if (e.key === "Escape" && open) { e.stopPropagation(); close(); } }}>
      <button type="button" class="link-button" ref={button} aria-expanded={open}
        aria-controls={open ? panel : undefined} onClick={() => setOpen(!open)}>React</button>
      {open ? (
        <div id={panel} role="group" aria-label="React to this message" class="react-choices">
          {CHOICES.map(([emoji, name]) => (
            <button type="button" key={emoji} class="secondary" disabled={busy} aria-label={`React with ${name}`}
              aria-pressed={current?.emoji === emoji} onClick={() => void react(emoji)}>{emoji}</button>
          ))}
          {current?.emoji ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => void react("")}>Remove</button>
          ) : null}
        </div>
      ) : null}
      {error ? <p class="note bad" role="alert">{error.message}</p> : null}
    </div>
  );
}

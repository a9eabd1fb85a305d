// The customer's other conversations beside the open one (GET /api/conversations/{id}/earlier:
// every number of its contact, SMS and WhatsApp alike, newest first, those the caller may
// see), read again when its contact changes. Each is a button (channel, number, when,
// state, disposition) that expands in place into its transcript, read once by id:
// read-only, with no composer and no actions.

import { useEffect, useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import { channelName, when } from "../format";
import type { Conversation } from "../types";
import { customerLabel } from "./conversation";
import { MessageItem } from "./MessageList";

export function EarlierConversations({ conversation }: { conversation: Conversation }) {
  const [earlier, setEarlier] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const contactId = conversation.contact?.id;
  useEffect(() => {
    let current = true;
    api.get<{ conversations: Conversation[] }>(`/conversations/${encodeURIComponent(conversation.id)}/earlier`)
      .then((answer) => { if (current) { setEarlier(answer.conversations); setError(null); } },
        (caught) => { if (current) setError(problem(caught)); });
    return () => { current = false; };
  }, [conversation.id, contactId]);
  return (
    <section aria-labelledby="earlier-title">
      <h3 id="earlier-title">Earlier conversations</h3>
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {earlier === null && !error ? <p class="muted">Loading…</p> : null}
      {earlier?.length === 0 ? <p class="muted">None with this customer.</p> : null}
      {earlier?.length ? (
        <ul class="earlier">
          {earlier.map((c) => <EarlierItem key={c.id} conversation={c} />)}
        </ul>
      ) : null}
    </section>
  );
}

function summary(c: Conversation): string {
  const disposition = c.disposition ? ` · ${c.disposition}` : "";
  return `${channelName(c.channel)} · ${c.customer} · ${when(c.created_at)} · ${c.state}${disposition}`;
}

function EarlierItem({ conversation }: { conversation: Conversation }) {
  const [open, setOpen] = useState(false);
  const [read, setRead] = useState<Conversation | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const panel = `earlier-${conversation.id}`;
  const toggle = async () => {
    setOpen(!open);
    if (open || read) return;
    try {
      setRead(await api.get<Conversation>(`/conversations/${encodeURIComponent(conversation.id)}`));
    } catch (caught) {
      setError(problem(caught));
    }
  };
  return (
    <li>
      <button type="button" class="link-button" aria-expanded={open} aria-controls={open ? panel : undefined}
        onClick={() => void toggle()}>{summary(conversation)}</button>
      {open ? (
        <div id={panel} class="transcript">
          {error ? <p class="notice error" role="alert">{error.message}</p> : null}
          {!read && !error ? <p class="muted">Loading…</p> : null}
          {read ? (
            <ol class="messages" aria-label={`Messages of the ${channelName(read.channel)} conversation of ${when(read.created_at)}`}>
              {(read.messages ?? []).map((m) => <MessageItem key={m.id} message={m} customer={customerLabel(read)} />)}
            </ol>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

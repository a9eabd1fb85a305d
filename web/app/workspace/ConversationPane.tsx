// The conversation pane: who and where, its badges (opt-out, the WhatsApp window), the
// actions, the messages in order, the composer, the contact and the history.

import { useEffect, useState } from "preact/hooks";
import { ApiError, problem } from "../api";
import { label, timeLeft, when } from "../format";
import { href } from "../router";
import type { Conversation, Me } from "../types";
import { BotStage } from "./BotStage";
import { Composer } from "./Composer";
import { type Action, act, useConversation, windowClosed } from "./conversation";
import { customerLabel } from "./InboxList";
import { MessageList } from "./MessageList";

interface Props {
  id: string;
  me: Me;
  onChange: (conversation: Conversation) => void;
}

export function ConversationPane({ id, me, onChange }: Props) {
  const { conversation, error, reload } = useConversation(id);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  if (!conversation) {
    return (
      <section class="pane" aria-label="Conversation">
        <a class="back" href={href("inbox")}>Back to the inbox</a>
        {error ? <p class="notice error" role="alert">{error.message}</p> : <p class="muted">Loading…</p>}
      </section>
    );
  }
  const run = async (action: Action) => {
    setActionError(null);
    try {
      onChange(await act(id, action));
      await reload();
    } catch (caught) {
      setActionError(problem(caught));
    }
  };
  return (
    <section class="pane" aria-labelledby="conversation-title">
      <a class="back" href={href("inbox")}>Back to the inbox</a>
      <header class="pane-header">
        <h2 id="conversation-title">{customerLabel(conversation)}</h2>
        <p class="meta">
          {conversation.customer} · {conversation.channel === "whatsapp" ? "WhatsApp" : "SMS"} to {conversation.business}
          {conversation.workstream ? ` · ${conversation.workstream.name}` : ""}
          {conversation.queue ? ` · queue ${conversation.queue}` : ""}
        </p>
        <p class="badges">
          <span class={`badge state-${conversation.state}`}>{conversation.state}</span>
          {conversation.agent ? <span class="badge">Held by {conversation.agent.name}</span> : null}
          {conversation.consent.state === "opted_out" ? <span class="badge warn">Opted out: nothing can be sent</span> : null}
          <ReplyWindow conversation={conversation} />
        </p>
        <Actions conversation={conversation} me={me} run={run} />
        {actionError ? <p class="notice error" role="alert">{actionError.message}</p> : null}
      </header>
      <div class="pane-body">
        <MessageList conversation={conversation} />
        {conversation.state !== "closed"
          ? <Composer conversation={conversation} me={me} onSent={reload} />
          : <p class="notice">This conversation is closed{conversation.closed_reason ? ` (${conversation.closed_reason})` : ""}.</p>}
      </div>
      <aside class="pane-side" aria-label="About this conversation">
        <BotStage conversation={conversation} me={me} onTaken={(c) => { onChange(c); void reload(); }} />
        <ContactCard conversation={conversation} />
        <History conversation={conversation} />
      </aside>
    </section>
  );
}

function Actions({ conversation, me, run }: { conversation: Conversation; me: Me; run: (a: Action) => void }) {
  const mine = conversation.agent?.id === me.id;
  const { state } = conversation;
  return (
    <div class="actions" role="group" aria-label="Conversation actions">
      {state !== "closed" && !mine ? <button type="button" onClick={() => run("accept")}>Accept</button> : null}
      {state === "active" ? <button type="button" class="secondary" onClick={() => run("wait")}>Wait</button> : null}
      {state !== "closed" ? <button type="button" class="secondary" onClick={() => run("close")}>Close</button> : null}
    </div>
  );
}

function ReplyWindow({ conversation }: { conversation: Conversation }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30000);
    return () => window.clearInterval(timer);
  }, []);
  if (conversation.channel !== "whatsapp") return null;
  if (windowClosed(conversation, now)) return <span class="badge warn">24-hour window closed: templates only</span>;
  return <span class="badge ok">24-hour window: {timeLeft(conversation.reply_window_ends_at, now)} left</span>;
}

function ContactCard({ conversation }: { conversation: Conversation }) {
  const contact = conversation.contact;
  return (
    <section aria-labelledby="contact-title">
      <h3 id="contact-title">Contact</h3>
      {contact ? (
        <dl>
          <dt>Name</dt><dd>{contact.name || "–"}</dd>
          <dt>Mobile phone</dt><dd>{contact.mobile_phone || conversation.customer}</dd>
          {Object.entries(contact.fields ?? {}).map(([name, value]) => [<dt key={`k${name}`}>{name}</dt>, <dd key={`v${name}`}>{value}</dd>])}
        </dl>
      ) : <p class="muted">No contact has this number.</p>}
    </section>
  );
}

function History({ conversation }: { conversation: Conversation }) {
  const steps = [{ seq: -1, at: conversation.created_at, action: "opened", actor: null }, ...(conversation.history ?? [])];
  return (
    <section aria-labelledby="history-title">
      <h3 id="history-title">History</h3>
      <ol class="history">
        {steps.map((e) => (
          <li key={e.seq}>
            {e.seq < 0 ? "Opened" : `${label(e.action)} by ${e.actor ? e.actor.name : "Switchboard"}`},{" "}
            <time dateTime={e.at}>{when(e.at)}</time>
          </li>
        ))}
      </ol>
    </section>
  );
}

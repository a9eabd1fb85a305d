// The conversation pane: who and where, its badges (offer, opt-out, the WhatsApp window,
// its running service-level clocks, the disposition it was closed with), its labels
// (LabelEditor.tsx), the actions, the messages and internal notes in order, the composer,
// the contact (ContactCard.tsx), the customer's earlier conversations
// (EarlierConversations.tsx) and the history. Opening it marks its customer messages seen
// (seen.ts).

import { useRef, useState } from "preact/hooks";
import { ApiError, problem } from "../api";
import { businessNumber, channelName, countdown, timeLeft } from "../format";
import { href } from "../router";
import type { CloseBody, Conversation, Me } from "../types";
import { useNow } from "../ui/now";
import { BotStage } from "./BotStage";
import { Composer } from "./Composer";
import { ContactCard } from "./ContactCard";
import { ConversationActions } from "./ConversationActions";
import { type Action, type Target, act, close, customerLabel, transfer, useConversation, windowClosed } from "./conversation";
import { EarlierConversations } from "./EarlierConversations";
import { ConversationLabels } from "./LabelEditor";
import { MessageList } from "./MessageList";
import { History } from "./PaneSide";
import { useSeen } from "./seen";
import { ClockChip } from "./ServiceClock";

interface Props {
  id: string;
  me: Me;
  /** The conversation's version in the change feed: a higher one reads it again. */
  version: number | undefined;
  onChange: (conversation: Conversation) => void;
  /** Marked seen: the API's answer (without messages). */
  onSeen: (conversation: Conversation) => void;
  /** Given new labels: the API's answer. */
  onLabelled: (conversation: Conversation) => void;
}

export function ConversationPane({ id, me, version, onChange, onSeen, onLabelled }: Props) {
  const { conversation, error, reload, seen } = useConversation(id, version);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const title = useRef<HTMLHeadingElement>(null);
  useSeen(conversation, me, (answer) => {
    seen(answer);
    onSeen(answer);
  });
  if (!conversation) {
    return (
      <section class="pane" aria-label="Conversation">
        <a class="back" href={href("inbox")}>Back to the inbox</a>
        {error ? <p class="notice error" role="alert">{error.message}</p> : <p class="muted">Loading…</p>}
      </section>
    );
  }
  const finish = async (change: Promise<Conversation>) => {
    onChange(await change);
    await reload();
  };
  const done = async (change: Promise<Conversation>) => {
    setActionError(null);
    try {
      await finish(change);
    } catch (caught) {
      setActionError(problem(caught));
    }
  };
  const closeWith = async (wrap: CloseBody) => {
    await finish(close(id, wrap));
    title.current?.focus(); // the dialog and its Close button are gone
  };
  const run = (action: Action) => void done(act(id, action));
  const move = (target: Target) => void done(transfer(id, target));
  return (
    <section class="pane" aria-labelledby="conversation-title">
      <a class="back" href={href("inbox")}>Back to the inbox</a>
      <header class="pane-header">
        <h2 id="conversation-title" ref={title} tabIndex={-1}>{customerLabel(conversation)}</h2>
        <p class="meta">
          {conversation.customer} · {channelName(conversation.channel)}
          {businessNumber(conversation.business) ? ` to ${conversation.business}` : ""}
          {conversation.workstream ? ` · ${conversation.workstream.name}` : ""}
          {conversation.queue ? ` · queue ${conversation.queue}` : ""}
        </p>
        <Badges conversation={conversation} />
        <ConversationLabels conversation={conversation} onLabelled={(c) => { onLabelled(c); void reload(); }} />
        <ConversationActions conversation={conversation} me={me} run={run} move={move} closeWith={closeWith}
          forget={() => setActionError(null)} />
        {actionError ? <p class="notice error" role="alert">{actionError.message}</p> : null}
      </header>
      <div class="pane-body">
        <MessageList conversation={conversation} me={me} onReacted={reload} />
        {conversation.state !== "closed"
          ? <Composer conversation={conversation} me={me} onSent={reload} />
          : <p class="notice">This conversation is closed{CLOSED_BECAUSE[conversation.closed_reason ?? ""] ?? ""}.</p>}
      </div>
      <aside class="pane-side" aria-label="About this conversation">
        <BotStage conversation={conversation} me={me} onTaken={(c) => { onChange(c); void reload(); }} />
        <ContactCard conversation={conversation} onSaved={() => void reload()} />
        <EarlierConversations conversation={conversation} />
        <History conversation={conversation} />
      </aside>
    </section>
  );
}

function Badges({ conversation }: { conversation: Conversation }) {
  const now = useNow(1000);
  const { offer } = conversation;
  return (
    <p class="badges">
      <span class={`badge state-${conversation.state}`}>{conversation.state}</span>
      <Holder conversation={conversation} />
      {conversation.disposition ? <span class="badge disposition">Disposition: {conversation.disposition}</span> : null}
      {offer ? <span class="badge">Offered to {offer.agent.name} · {countdown(offer.expires_at, now)} left</span> : null}
      {conversation.consent.state === "opted_out" ? <span class="badge warn">Opted out: nothing can be sent</span> : null}
      <ReplyWindow conversation={conversation} now={now} />
      {(conversation.service_level?.running ?? []).map((clock) => <ClockChip key={clock.target} clock={clock} />)}
    </p>
  );
}

// Who closed it by hand is named in the header ("Closed by Ada"); the other reasons here.
const CLOSED_BECAUSE: Record<string, string> = { inactivity: " for inactivity", overflow: " by its queue's overflow rule" };

/** Who holds it; once closed, who closed it (the history's last close), never "Held by". */
function Holder({ conversation }: { conversation: Conversation }) {
  if (conversation.state === "closed") {
    const closing = (conversation.history ?? []).filter((e) => e.action === "closed").at(-1);
    if (closing?.actor) return <span class="badge">Closed by {closing.actor.name}</span>;
    if (conversation.closed_reason === "inactivity") return <span class="badge">Closed for inactivity</span>;
    return null;
  }
  return conversation.agent ? <span class="badge">Held by {conversation.agent.name}</span> : null;
}

const WINDOW_WARNING_MS = 60 * 60 * 1000;

function ReplyWindow({ conversation, now }: { conversation: Conversation; now: number }) {
  if (conversation.channel !== "whatsapp") return null;
  if (windowClosed(conversation, now)) return <span class="badge warn">24-hour window closed: templates only</span>;
  const ends = conversation.reply_window_ends_at ? Date.parse(conversation.reply_window_ends_at) : now;
  const closing = ends - now < WINDOW_WARNING_MS;  // an hour left: time to wrap up, or to pick a template
  return <span class={`badge ${closing ? "warn" : "ok"}`}>
    24-hour window: {timeLeft(conversation.reply_window_ends_at, now)} left{closing ? ", closing soon" : ""}</span>;
}

// The conversation pane: who and where, its badges (offer, opt-out, the WhatsApp window,
// its running service-level clocks), the actions, the messages in order, the composer, the
// contact and the history.

import { useState } from "preact/hooks";
import { ApiError, problem } from "../api";
import { channelName, countdown, timeLeft } from "../format";
import { href } from "../router";
import type { Conversation, Me } from "../types";
import { useNow } from "../ui/now";
import { BotStage } from "./BotStage";
import { Composer } from "./Composer";
import { ConversationActions } from "./ConversationActions";
import { type Action, type Target, act, customerLabel, transfer, useConversation, windowClosed } from "./conversation";
import { MessageList } from "./MessageList";
import { ContactCard, History } from "./PaneSide";
import { ClockChip } from "./ServiceClock";

interface Props {
  id: string;
  me: Me;
  /** The conversation's version in the change feed: a higher one reads it again. */
  version: number | undefined;
  onChange: (conversation: Conversation) => void;
}

export function ConversationPane({ id, me, version, onChange }: Props) {
  const { conversation, error, reload } = useConversation(id, version);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  if (!conversation) {
    return (
      <section class="pane" aria-label="Conversation">
        <a class="back" href={href("inbox")}>Back to the inbox</a>
        {error ? <p class="notice error" role="alert">{error.message}</p> : <p class="muted">Loading…</p>}
      </section>
    );
  }
  const done = async (change: Promise<Conversation>) => {
    setActionError(null);
    try {
      onChange(await change);
      await reload();
    } catch (caught) {
      setActionError(problem(caught));
    }
  };
  const run = (action: Action) => void done(act(id, action));
  const move = (target: Target) => void done(transfer(id, target));
  return (
    <section class="pane" aria-labelledby="conversation-title">
      <a class="back" href={href("inbox")}>Back to the inbox</a>
      <header class="pane-header">
        <h2 id="conversation-title">{customerLabel(conversation)}</h2>
        <p class="meta">
          {conversation.customer} · {channelName(conversation.channel)} to {conversation.business}
          {conversation.workstream ? ` · ${conversation.workstream.name}` : ""}
          {conversation.queue ? ` · queue ${conversation.queue}` : ""}
        </p>
        <Badges conversation={conversation} />
        <ConversationActions conversation={conversation} me={me} run={run} move={move} />
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

function Badges({ conversation }: { conversation: Conversation }) {
  const now = useNow(1000);
  const { offer } = conversation;
  return (
    <p class="badges">
      <span class={`badge state-${conversation.state}`}>{conversation.state}</span>
      <Holder conversation={conversation} />
      {offer ? <span class="badge">Offered to {offer.agent.name} · {countdown(offer.expires_at, now)} left</span> : null}
      {conversation.consent.state === "opted_out" ? <span class="badge warn">Opted out: nothing can be sent</span> : null}
      <ReplyWindow conversation={conversation} now={now} />
      {(conversation.service_level?.running ?? []).map((clock) => <ClockChip key={clock.target} clock={clock} />)}
    </p>
  );
}

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

function ReplyWindow({ conversation, now }: { conversation: Conversation; now: number }) {
  if (conversation.channel !== "whatsapp") return null;
  if (windowClosed(conversation, now)) return <span class="badge warn">24-hour window closed: templates only</span>;
  return <span class="badge ok">24-hour window: {timeLeft(conversation.reply_window_ends_at, now)} left</span>;
}

// A conversation's time with its workstream's bot: "the bot is answering" with Take over
// for admins and supervisors who answer, or, once handed off, why, the bot's summary, its context
// and its transcript. Every text reaches the page as a text node.

import { useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import { label, when } from "../format";
import type { Conversation, Me } from "../types";

interface Props {
  conversation: Conversation;
  me: Me;
  onTaken: (conversation: Conversation) => void;
}

const REASONS: Record<string, string> = {
  bot: "the bot handed it off", timeout: "the bot did not answer in time", keyword: "the customer asked for an agent",
  supervisor: "taken over", bot_removed: "the workstream's bot was removed",
};

export function BotStage({ conversation, me, onTaken }: Props) {
  const [error, setError] = useState<ApiError | null>(null);
  const { handoff } = conversation;
  if (conversation.stage !== "bot" && !handoff) return null;
  const takeOver = async () => {
    setError(null);
    try {
      onTaken(await api.post<Conversation>(`/conversations/${encodeURIComponent(conversation.id)}/take-over`));
    } catch (caught) {
      setError(problem(caught));
    }
  };
  // Whoever takes it over holds it and answers it: a supervisor without the agent role
  // assigns it instead (the API refuses their take-over).
  const takes = me.roles.includes("admin") || (me.roles.includes("supervisor") && me.roles.includes("agent"));
  return (
    <section aria-labelledby="bot-title">
      <h3 id="bot-title">Bot</h3>
      {conversation.stage === "bot" ? (
        <p><span class="badge">Bot stage</span> The bot is answering this conversation.</p>
      ) : null}
      {conversation.stage === "bot" && takes && conversation.state !== "closed"
        ? <button type="button" class="secondary" onClick={takeOver}>Take over</button> : null}
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {handoff ? (
        <dl>
          <dt>Handed off</dt><dd>{REASONS[handoff.reason] ?? label(handoff.reason)}, <time dateTime={handoff.at}>{when(handoff.at)}</time></dd>
          {handoff.summary ? [<dt key="s">Summary</dt>, <dd key="sv">{handoff.summary}</dd>] : null}
          {Object.entries(handoff.context).map(([name, value]) => [
            <dt key={`k${name}`}>{name}</dt>, <dd key={`v${name}`}>{typeof value === "string" ? value : JSON.stringify(value)}</dd>])}
        </dl>
      ) : null}
      {handoff && handoff.transcript.length ? (
        <ol class="history" aria-label="Transcript from the bot">
          {handoff.transcript.map((line, i) => <li key={i}>{line.from === "bot" ? "Bot" : "Customer"}: {line.text}</li>)}
        </ol>
      ) : null}
    </section>
  );
}

// The rows of the inbox, drawn from the list answers alone (no request per conversation):
// a conversation's link, an offer with its countdown and Accept / Decline, a waiting
// conversation of a queue with Take. Each shows the first line of the customer's latest
// message and, while its holder has not seen some of them, how many (the name in bold), how
// long it has waited ("waiting 3 min") or once held its last activity ("2 min ago"), its
// labels as chips, and its service-level clock due next ("First response in 4 min"), kept
// current on one shared timer.
// The clock and the unread count are left off where the list is read from the inbox index
// (everyone's newest): its rows are as of the conversation's last move, so an answer since
// would not have stopped the clock there, nor a look cleared the count. A conversation
// whose routing rule needs skills says which; in a queue, one the agent has them for is
// marked "Your skills".

import { businessNumber, channelName, countdown } from "../format";
import { href } from "../router";
import { useNow } from "../ui/now";
import { RelativeTime } from "../ui/time";
import type { AgentSkill, Conversation } from "../types";
import { customerLabel } from "./conversation";
import { LabelChips } from "./labels";
import { ClockChip } from "./ServiceClock";
import { needsText, yours } from "./skills";

export type Take = (c: Conversation, action: "accept" | "decline") => void;

/** Offered or in a queue: nobody holds it, no bot answers it, it is not closed. */
function waits(c: Conversation): boolean {
  return !c.agent && c.stage !== "bot" && c.state !== "closed" && c.queued_at != null; // a campaign's waits for no one
}

interface RowProps {
  c: Conversation;
  selected: boolean;
  /** Read fresh (not from the inbox index): its clock and unread count are current. */
  fresh?: boolean;
  /** The agent has every skill it needs (queues only). */
  match?: boolean;
}

function Row({ c, selected, fresh = true, match = false }: RowProps) {
  const unread = fresh && c.state !== "closed" ? c.unread : 0;
  return (
    <a href={href("inbox", c.id)} class={`inbox-item state-${c.state}${unread ? " unread" : ""}`}
      aria-current={selected ? "true" : undefined}>
      <span class="who-line">
        <span class="who">{customerLabel(c)}</span>
        {unread ? <span class="badge unread-count">{unread}<span class="visually-hidden"> unread</span></span> : null}
      </span>
      <span class={`badge state-${c.state}`}>{c.state}</span>
      {c.preview ? <span class="card-preview">{c.preview}</span> : null}
      <LabelChips names={c.labels} />
      <span class="meta">
        {channelName(c.channel)}{businessNumber(c.business) ? ` · ${c.business}` : ""}
        {c.queue ? ` · ${c.queue}` : ""}{c.agent ? ` · ${c.agent.name}` : ""}
      </span>
      <span class="meta">
        {waits(c)
          ? <RelativeTime iso={c.queued_at ?? c.created_at} waited />
          : <RelativeTime iso={c.last_activity_at} />}
      </span>
      {c.required_skills.length ? (
        <span class="meta needs">
          Needs: {needsText(c.required_skills)}{match ? <> <span class="badge ok">Your skills</span></> : null}
        </span>
      ) : null}
      {fresh && c.service_level?.next_due ? <ClockChip clock={c.service_level.next_due} /> : null}
      {c.consent?.state === "opted_out" ? <span class="badge warn">Opted out</span> : null}
    </a>
  );
}

export function ConversationRows({ list, selected, fresh }:
  { list: Conversation[]; selected: string | null; fresh?: boolean }) {
  return (
    <ul class="inbox-list">
      {list.map((c) => <li key={c.id}><Row c={c} selected={c.id === selected} fresh={fresh} /></li>)}
    </ul>
  );
}

function OfferRow({ c, selected, take }: { c: Conversation; selected: boolean; take: Take }) {
  const now = useNow(1000);
  const left = c.offer ? countdown(c.offer.expires_at, now) : null;
  const who = customerLabel(c);
  return (
    <li class="offer">
      <Row c={c} selected={selected} />
      <div class="row-actions">
        {left ? <span class="countdown"><span class="visually-hidden">Offer ends in </span>{left}</span> : null}
        <button type="button" onClick={() => take(c, "accept")} aria-label={`Accept ${who}`}>Accept</button>
        <button type="button" class="secondary" onClick={() => take(c, "decline")} aria-label={`Decline ${who}`}>
          Decline</button>
      </div>
    </li>
  );
}

export function OfferRows({ list, selected, take }: { list: Conversation[]; selected: string | null; take: Take }) {
  return (
    <ul class="inbox-list">
      {list.map((c) => <OfferRow key={c.id} c={c} selected={c.id === selected} take={take} />)}
    </ul>
  );
}

interface QueueProps {
  list: Conversation[];
  selected: string | null;
  take: Take;
  skills: AgentSkill[];
}

export function QueueRows({ list, selected, take, skills }: QueueProps) {
  return (
    <ul class="inbox-list">
      {list.map((c) => (
        <li key={c.id}>
          <Row c={c} selected={c.id === selected} match={yours(c, skills)} />
          <div class="row-actions">
            <button type="button" class="secondary" onClick={() => take(c, "accept")}
              aria-label={`Take ${customerLabel(c)}`}>Take</button>
          </div>
        </li>
      ))}
    </ul>
  );
}

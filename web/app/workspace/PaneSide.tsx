// Beside a conversation: its history (who accepted, declined, transferred, assigned, parked
// and closed it, what was offered to whom, its service-level warnings and breaches, and the
// overflow rules that acted on it).

import { when } from "../format";
import type { Conversation, HistoryEvent, ServiceTarget } from "../types";
import { TARGET_NAMES } from "./ServiceClock";

const DONE: Record<string, string> = {
  accepted: "Accepted", declined: "Declined", parked: "Parked", closed: "Closed", unassigned: "Returned to the queue",
};

const target = (e: HistoryEvent) => TARGET_NAMES[e.detail as ServiceTarget] ?? e.detail;

/** "Transferred to Bo by Ada", "Offered to Ada", "Closed by Switchboard", "First response late",
 *  "Overflow rule "Swamped" applied". */
export function step(e: HistoryEvent): string {
  const by = e.actor ? e.actor.name : "Switchboard";
  const to = e.subject ? e.subject.name : e.detail ?? "";
  if (e.action === "offered") return `Offered to ${to}`;
  if (e.action === "offer_expired") {
    return e.detail === "agent not available" ? `Offer to ${to} withdrawn: not available` : `Offer to ${to} lapsed`;
  }
  if (e.action === "transferred") return `Transferred to ${to} by ${by}`;
  if (e.action === "assigned") return `Assigned to ${to} by ${by}`;
  if (e.action === "sla_warning") return `${target(e)} due soon`;
  if (e.action === "sla_breached") return `${target(e)} late`;
  if (e.action === "overflowed") return `Overflow rule "${e.detail}" applied`;
  return `${DONE[e.action] ?? e.action} by ${by}`;
}

export function History({ conversation }: { conversation: Conversation }) {
  return (
    <section aria-labelledby="history-title">
      <h3 id="history-title">History</h3>
      <ol class="history">
        <li>Opened, <time dateTime={conversation.created_at}>{when(conversation.created_at)}</time></li>
        {(conversation.history ?? []).map((e) => (
          <li key={e.seq}>{step(e)}, <time dateTime={e.at}>{when(e.at)}</time></li>
        ))}
      </ol>
    </section>
  );
}

// Service-level clocks as agents see them (core/sla.py on the server): the one due next on a
// card, every running one in the conversation pane. Each reads "First response in 4 min" or
// "Next response 3 min late": plain while there is time, amber once its warning is due, red
// once late, and says so in words too (the exact due time is its tooltip and hidden text).
// Every clock on the page ticks on the relative times' shared 15-second timer.

import { when } from "../format";
import type { ServiceClock, ServiceTarget } from "../types";
import { useNow } from "../ui/now";
import { dueIn } from "../ui/relative";

export const TARGET_NAMES: Record<ServiceTarget, string> = {
  first_response: "First response", next_response: "Next response", resolution: "Resolution",
};

type Urgency = "ok" | "soon" | "late";

/** Late once due (or recorded as breached), soon once its warning is (or was recorded). */
export function urgency(clock: ServiceClock, now: number): Urgency {
  if (clock.breached || Date.parse(clock.due_at) <= now) return "late";
  return clock.warned || Date.parse(clock.warn_at) <= now ? "soon" : "ok";
}

export function ClockChip({ clock }: { clock: ServiceClock }) {
  const now = useNow(15_000);
  const level = urgency(clock, now);
  const absolute = when(clock.due_at);
  // A breach the server recorded reads late even when this browser's clock is a little behind.
  const seen = level === "late" ? Math.max(now, Date.parse(clock.due_at)) : now;
  return (
    <span class={`badge due due-${level}`}>
      <time dateTime={clock.due_at} title={`Due ${absolute}`}>
        {TARGET_NAMES[clock.target]} {dueIn(clock.due_at, seen)}
      </time>
      <span class="visually-hidden">{level === "soon" ? ", due soon" : ""}, due {absolute}</span>
    </span>
  );
}

// A workstream's live figures on the Supervise page: per queue what waits now, the longest
// wait, what is offered and not yet accepted, what agents hold; its agents by presence with
// their free capacity; and today so far (with the share of service-level clocks met, per
// target that had any end today), each of today's numbers opening the conversations
// behind it on the Reports page.

import type { ComponentChildren } from "preact";
import { duration } from "../format";
import { FigureLink, csatText, figureContext } from "../reports/Figures";
import { MEASURE_NAMES, type Measure, SLA_TARGETS, reportHref, slaMeasure } from "../reports/query";
import type { LiveWorkstream } from "../types";

const OTHERS = ["busy", "away", "offline"] as const;
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });

interface TilesProps {
  live: LiveWorkstream | undefined;
  /** The live figures were read (and this workstream was not among them when `live` is undefined). */
  read: boolean;
  asOf: string | undefined;
  error: string | null;
}

export function LiveTiles({ live, read, asOf, error }: TilesProps) {
  if (!live) {
    if (error) return <p class="notice error" role="alert">Live figures: {error}</p>;
    return <p class="muted">{read ? "No live figures for this workstream." : "Reading live figures…"}</p>;
  }
  const id = live.workstream_id;
  return (
    <section class="live" aria-labelledby={`live-${id}`}>
      <h4 id={`live-${id}`}>
        Now {asOf ? <span class="meta">as of {timeFormat.format(new Date(asOf))}</span> : null}
      </h4>
      {error ? <p class="notice error" role="alert">Live figures: {error} (showing the last ones read)</p> : null}
      <ul class="tiles" aria-label="Queues and agents now">
        {live.queues.map((q) => (
          <li class={`tile queue${q.queue === null ? " unqueued" : ""}${q.waiting ? " busy" : ""}`} key={q.queue ?? ""}>
            <p class="tile-title">{q.queue === null ? "Unqueued" : `Queue ${q.queue}`}</p>
            <p class="figure"><strong>{q.waiting}</strong> waiting</p>
            <p class="meta">longest {q.longest_wait_seconds === null ? "–" : duration(q.longest_wait_seconds)}</p>
            <p class="meta">{q.offered} offered · {q.active} active</p>
          </li>
        ))}
        <li class="tile agents">
          <p class="tile-title">Agents</p>
          <AgentsByPresence live={live} />
        </li>
      </ul>
      <Today live={live} />
    </section>
  );
}

/** "2 available, 5 free" and how many are busy, away and offline: who can be offered work now. */
function AgentsByPresence({ live }: { live: LiveWorkstream }) {
  if (live.agents.length === 0) return <p class="meta">No agent works its queues.</p>;
  const count = (presence: string) => live.agents.filter((a) => a.presence === presence).length;
  const free = live.agents.filter((a) => a.presence === "available").reduce((sum, a) => sum + a.free, 0);
  return (
    <>
      <p class="figure"><span class="presence-dot presence-available" /><strong>{count("available")}</strong> available</p>
      <p class="meta">{free} free {free === 1 ? "place" : "places"} to offer</p>
      <p class="meta">{OTHERS.map((presence) => `${count(presence)} ${presence}`).join(" · ")}</p>
    </>
  );
}

/** A tile of today's: its name, its number (a link), and what more to say of it. */
type Figure = [string, ComponentChildren, ComponentChildren?];

function Today({ live }: { live: LiveWorkstream }) {
  const t = live.today;
  const filters = { from: t.key, to: t.key, workstream_id: live.workstream_id, group_by: "agent" as const };
  const link = (measure: Measure, text: string) => (
    <FigureLink filters={filters} drill={{ measure }} text={text} context={figureContext(measure, `${live.name}, today`)} />
  );
  const figures: Figure[] = [
    ["Conversations", link("conversations", String(t.conversations))],
    ["Answered", link("answered", String(t.answered))],
    ["Abandoned", link("abandoned", String(t.abandoned))],
    ["Median wait", link("wait_seconds", duration(t.wait_seconds.median, true))],
    ["Median first response", link("first_response_seconds", duration(t.first_response_seconds.median, true))],
    ["Average CSAT", link("csat", csatText(t)), `${t.csat.responses} ${t.csat.responses === 1 ? "answer" : "answers"}`],
    ...SLA_TARGETS.filter((target) => t.sla[target].met + t.sla[target].breached > 0).map((target): Figure => {
      const { met, breached, share_met: share } = t.sla[target];
      return [MEASURE_NAMES[slaMeasure(target)], link(slaMeasure(target), percent.format(share ?? 0)),
        `${met} of ${met + breached} in time`];
    }),
  ];
  return (
    <section class="today" aria-labelledby={`today-${live.workstream_id}`}>
      <h4 id={`today-${live.workstream_id}`}>
        Today so far <a class="meta" href={reportHref(filters)}>Today's report</a>
      </h4>
      <dl class="tiles today-figures">
        {figures.map(([name, value, more]) => (
          <div class="tile" key={name}>
            <dt>{name}</dt><dd class="figure">{value}</dd>{more ? <dd class="meta">{more}</dd> : null}
          </div>
        ))}
      </dl>
    </section>
  );
}

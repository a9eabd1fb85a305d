// The conversations behind one figure, a page at a time ("Load more"), each opening in the
// workspace (#/inbox/<id>). It takes the focus when it opens, so the keyboard and a screen
// reader land on what was asked for. Each service-level target whose clocks ended in a
// listed conversation has a column: met, breached, or how many of several were met.

import { useEffect, useRef } from "preact/hooks";
import { channelName, duration } from "../format";
import { href } from "../router";
import type { ReportConversation } from "../types";
import { useDrill } from "./data";
import {
  type Drill, type GroupBy, MEASURE_NAMES, type ReportFilters, SLA_TARGETS, type SlaTarget, reportHref, slaMeasure,
} from "./query";

const timeFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
const when = (iso: string) => timeFormat.format(new Date(iso));

const clocks = (c: ReportConversation, t: SlaTarget) => [c[`sla_${t}_met`], c[`sla_${t}_breached`]] as const;

/** A target's clocks that ended in it: "met", "breached", "1 of 2 met"; "–" when none did. */
function SlaCell({ conversation, target }: { conversation: ReportConversation; target: SlaTarget }) {
  const [met, breached] = clocks(conversation, target);
  if (met + breached === 0) return <td>–</td>;
  const text = met + breached > 1 ? `${met} of ${met + breached} met` : met ? "met" : "breached";
  return <td><span class={`badge ${breached ? "warn" : "ok"}`}>{text}</span></td>;
}

interface DrillProps {
  filters: ReportFilters;
  drill: Drill;
  by: GroupBy;
  agentNames: Map<string, string>;
  workstreamNames: Map<string, string>;
}

export function DrillDown({ filters, drill, by, agentNames, workstreamNames }: DrillProps) {
  const { rows, continuation, loading, error, more } = useDrill(filters, drill, by);
  const heading = useRef<HTMLHeadingElement>(null);
  const key = JSON.stringify([filters, drill, by]);
  useEffect(() => heading.current?.focus(), [key]);
  const title = drill.group === undefined ? MEASURE_NAMES[drill.measure]
    : `${MEASURE_NAMES[drill.measure]}: ${drill.label || drill.group || (by === "label" ? "(no label)" : "(no queue)")}`;
  const several = workstreamNames.size > 1 || !filters.workstream_id;
  const targets = SLA_TARGETS.filter((t) => rows.some((c) => clocks(c, t).some((n) => n > 0)));
  return (
    <section class="drill" aria-labelledby="drill-title">
      <div class="drill-head">
        <h3 id="drill-title" ref={heading} tabIndex={-1}>Conversations behind “{title}”</h3>
        <a href={reportHref(filters)}>Close the list</a>
      </div>
      <p class="meta" aria-live="polite">
        {loading ? "Loading…" : `${rows.length} conversation${rows.length === 1 ? "" : "s"}${continuation ? " so far" : ""}`},
        created {filters.from === filters.to ? `on ${filters.from}` : `${filters.from} to ${filters.to}`}.
      </p>
      {error ? <p class="notice error" role="alert">{error}</p> : null}
      {rows.length > 0 ? (
        <div class="table-scroll">
          <table class="drill-table">
            <caption class="visually-hidden">{title}: the conversations, each a link to open it</caption>
            <thead>
              <tr>
                <th scope="col">Created (opens it)</th>
                {several ? <th scope="col">Workstream</th> : null}
                <th scope="col">Queue</th><th scope="col">Channel</th><th scope="col">Agents</th>
                <th scope="col" class="number">Wait</th><th scope="col" class="number">First response</th>
                <th scope="col" class="number">Handle</th><th scope="col">Closed</th><th scope="col" class="number">CSAT</th>
                {targets.map((t) => <th scope="col" key={t}>{MEASURE_NAMES[slaMeasure(t)]}</th>)}
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={`${c.conversation_id}`} data-conversation={c.conversation_id}>
                  <td><a href={href("inbox", c.conversation_id)}>{when(c.created_at)}</a></td>
                  {several ? <td>{workstreamNames.get(c.workstream_id) ?? c.workstream_id}</td> : null}
                  <td>{c.queue ?? "–"}</td>
                  <td>{channelName(c.channel)}</td>
                  <td>{c.agents.map((id) => agentNames.get(id) ?? id).join(", ") || "–"}</td>
                  <td class="number">{duration(c.wait_seconds, true)}</td>
                  <td class="number">{duration(c.first_response_seconds, true)}</td>
                  <td class="number">{duration(c.handle_seconds, true)}</td>
                  <td>{c.closed_at ? `${when(c.closed_at)}${c.closed_by === "inactivity" ? " (idle)" : ""}`
                    : "open"}{c.abandoned ? <span class="badge warn">abandoned</span> : null}</td>
                  <td class="number">{c.csat ?? "–"}</td>
                  {targets.map((t) => <SlaCell key={t} conversation={c} target={t} />)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : !loading && !error ? <p class="muted">No conversations.</p> : null}
      {continuation ? (
        <button type="button" class="secondary" disabled={loading} onClick={() => void more()}>Load more</button>
      ) : null}
    </section>
  );
}

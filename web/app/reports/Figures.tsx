// A report's figures as numbers: the totals, and a table of them per group (agent, queue,
// label, day or hour). Every number is a link to the conversations behind it; its link text
// starts with the number and says, for whoever reads links out of their context, which
// figure of which group it is. Service levels show per target that has clocks in the
// period: the share of its clocks met, and how many were met and breached. With a rate table,
// the estimated cost of the messages sent shows in its currency (by category: that category's).

import { duration } from "../format";
import type { ReportFigures, ReportGroup, SummaryReport } from "../types";
import {
  type Drill, GROUPING_NAMES, type GroupBy, MEASURE_NAMES, type Measure, type ReportFilters, SLA_TARGETS, type SlaTarget,
  reportHref, slaMeasure,
} from "./query";

const COUNTS: Measure[] = ["conversations", "answered", "abandoned", "bot_resolved"];
const DURATIONS: ("wait_seconds" | "first_response_seconds" | "handle_seconds")[] =
  ["wait_seconds", "first_response_seconds", "handle_seconds"];

/** What a figure is, in a link's name after its number: "2 answered (Ada)". */
const WHAT: Record<Measure, string> = {
  conversations: "conversations", answered: "answered", abandoned: "abandoned", bot_resolved: "resolved by the bot",
  wait_seconds: "median wait", first_response_seconds: "median first response", handle_seconds: "median handle time",
  csat: "average satisfaction",
  sla_first_response: "first response SLA met", sla_next_response: "next response SLA met",
  sla_resolution: "resolution SLA met",
  estimated_cost: "estimated cost",
};

export function figureContext(measure: Measure, of: string): string {
  return `${WHAT[measure]} (${of})`;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

/** How a group's key reads: a day as "Mon, 3 Feb", an hour as "09:00", an agent by name. */
export function groupName(by: GroupBy, group: ReportGroup | { key: string; label: string }): string {
  if (by === "day") return dayFormat.format(new Date(`${group.key}T12:00:00`));
  return group.label || (by === "queue" ? "(no queue)" : group.key);
}

export function csatText(f: ReportFigures): string {
  return f.csat.average === null ? "–" : f.csat.average.toFixed(1);
}

const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

/** A target's share of clocks met, "–" when none ended. */
function slaText(f: ReportFigures, target: SlaTarget): string {
  const share = f.sla[target].share_met;
  return share === null ? "–" : percent.format(share);
}

/** The targets whose clocks ended in these figures: those the report shows. */
function slaTargets(f: ReportFigures): SlaTarget[] {
  return SLA_TARGETS.filter((t) => f.sla[t].met + f.sla[t].breached > 0);
}

interface LinkProps {
  filters: ReportFilters;
  drill: Drill;
  by?: GroupBy;
  text: string;
  /** What the number is, for a link read on its own: figureContext(). */
  context: string;
}

/** A number that opens the conversations behind it; a zero or a missing figure has none to open. */
export function FigureLink({ filters, drill, by, text, context }: LinkProps) {
  if (text === "0" || text === "–") return <>{text}</>;
  return (
    <a href={reportHref(filters, drill, by)} class="figure-link">
      {text}<span class="visually-hidden">{` ${context}: list the conversations`}</span>
    </a>
  );
}

interface TotalsProps {
  filters: ReportFilters;
  total: ReportFigures;
  /** The rate table's currency; null: no table, no cost shown. */
  currency?: string | null;
}

/** An estimated cost as the rate table's currency writes it ("€0.07"), to the cent or finer. */
export function costText(amount: string | undefined, currency: string): string {
  const value = Number(amount ?? "0");
  if (!value) return "0";
  const digits = Math.min(6, Math.max(2, (amount ?? "").split(".")[1]?.replace(/0+$/, "").length ?? 0));
  return new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: 2,
    maximumFractionDigits: digits }).format(value);
}

/** The period's figures, each a tile with its number as a link. */
export function Totals({ filters, total, currency }: TotalsProps) {
  const link = (measure: Measure, text: string) => (
    <FigureLink filters={filters} drill={{ measure }} text={text} context={figureContext(measure, "in total")} />
  );
  return (
    <section aria-labelledby="totals-title" class="totals">
      <h3 id="totals-title">Totals</h3>
      <dl class="tiles">
        {COUNTS.map((measure) => (
          <div class="tile" key={measure}>
            <dt>{MEASURE_NAMES[measure]}</dt>
            <dd class="figure">{link(measure, String(total[measure as "answered"]))}</dd>
          </div>
        ))}
        {DURATIONS.map((measure) => (
          <div class="tile" key={measure}>
            <dt>Median {MEASURE_NAMES[measure].toLowerCase()}</dt>
            <dd class="figure">{link(measure, duration(total[measure].median, true))}</dd>
            <dd class="meta">90% within {duration(total[measure].p90, true)}</dd>
          </div>
        ))}
        <div class="tile">
          <dt>Average CSAT</dt>
          <dd class="figure">{link("csat", csatText(total))}</dd>
          <dd class="meta">{total.csat.responses} {total.csat.responses === 1 ? "answer" : "answers"}, 1 to 5</dd>
        </div>
        {slaTargets(total).map((target) => (
          <div class="tile sla" key={target}>
            <dt>{MEASURE_NAMES[slaMeasure(target)]} met</dt>
            <dd class="figure">{link(slaMeasure(target), slaText(total, target))}</dd>
            <dd class="meta">{total.sla[target].met} met · {total.sla[target].breached} breached</dd>
          </div>
        ))}
        {currency ? (
          <div class="tile">
            <dt>Estimated cost</dt>
            <dd class="figure">{link("estimated_cost", costText(total.estimated_cost, currency))}</dd>
            <dd class="meta">of the messages sent, in {currency}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}

interface BreakdownProps {
  filters: ReportFilters;
  summary: SummaryReport;
}

/** One row per group of the table's grouping (`group_by`), each figure a link. */
export function Breakdown({ filters, summary }: BreakdownProps) {
  const by = summary.group_by;
  const rows = by === "day" || by === "hour" ? summary.groups : summary.groups.filter((g) => g.conversations > 0);
  const title = `By ${GROUPING_NAMES[by].toLowerCase()}`;
  const targets = slaTargets(summary.total);
  return (
    <section aria-labelledby="breakdown-title">
      <h3 id="breakdown-title">{title}</h3>
      {by === "agent" ? <p class="hint">A conversation counts for each agent who held it.</p> : null}
      {by === "label" ? <p class="hint">A conversation counts under each of its labels; “(no label)” counts those without one.</p> : null}
      {by === "category" ? <p class="hint">A conversation counts under each category it sent a priced message of, with
        that category's cost; “(unpriced)” counts those without one.</p> : null}
      {rows.length === 0 ? <p class="muted">No conversations in this period.</p> : (
        <div class="table-scroll">
          <table class="figures-table">
            <caption class="visually-hidden">{title}: each number opens the conversations behind it</caption>
            <thead>
              <tr>
                <th scope="col">{GROUPING_NAMES[by]}</th>
                {COUNTS.map((m) => <th scope="col" key={m} class="number">{MEASURE_NAMES[m]}</th>)}
                {summary.currency ? <th scope="col" class="number">Estimated cost ({summary.currency})</th> : null}
                {DURATIONS.map((m) => <th scope="col" key={m} class="number">{MEASURE_NAMES[m]} (median / 90%)</th>)}
                <th scope="col" class="number">CSAT (responses)</th>
                {targets.map((t) => <th scope="col" key={t} class="number">{MEASURE_NAMES[slaMeasure(t)]} met (of clocks)</th>)}
              </tr>
            </thead>
            <tbody>
              {rows.map((g) => <GroupRow key={g.key} filters={filters} by={by} group={g} targets={targets}
                currency={summary.currency ?? null} />)}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface GroupRowProps {
  filters: ReportFilters;
  by: GroupBy;
  group: ReportGroup;
  targets: SlaTarget[];
  currency: string | null;
}

function GroupRow({ filters, by, group, targets, currency }: GroupRowProps) {
  const name = groupName(by, group);
  const link = (measure: Measure, text: string) => (
    <FigureLink filters={filters} by={by} drill={{ measure, group: group.key, label: name }} text={text}
      context={figureContext(measure, name)} />
  );
  return (
    <tr>
      <th scope="row">{name}</th>
      {COUNTS.map((m) => <td key={m} class="number">{link(m, String(group[m as "answered"]))}</td>)}
      {currency ? <td class="number">{link("estimated_cost", costText(group.estimated_cost, currency))}</td> : null}
      {DURATIONS.map((m) => (
        <td key={m} class="number">
          {link(m, duration(group[m].median, true))}
          {group[m].p90 !== null ? <span class="meta"> / {duration(group[m].p90, true)}</span> : null}
        </td>
      ))}
      <td class="number">
        {link("csat", csatText(group))}
        {group.csat.responses ? <span class="meta"> ({group.csat.responses})</span> : null}
      </td>
      {targets.map((t) => {
        const { met, breached } = group.sla[t];
        return (
          <td key={t} class="number">
            {link(slaMeasure(t), slaText(group, t))}
            {met + breached ? <span class="meta"> ({met} of {met + breached})</span> : null}
          </td>
        );
      })}
    </tr>
  );
}

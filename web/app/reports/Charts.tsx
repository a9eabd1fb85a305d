// The report's charts: conversations by day and by hour of day (created, answered,
// abandoned), and the first response per day (median and the 90th percentile), each with
// its table, whose numbers open the conversations behind them.

import { duration } from "../format";
import type { ReportGroup, SummaryReport } from "../types";
import { Chart, type Series } from "./Chart";
import { FigureLink, figureContext, groupName } from "./Figures";
import { type GroupBy, MEASURE_NAMES, type Measure, type ReportFilters, reportHref } from "./query";

const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
const DURATION_STEPS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];
const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const ticksOf = (summary: SummaryReport) => summary.groups.map((g) => shortDay.format(new Date(`${g.key}T12:00:00`)));
const VOLUME: [Measure, "total" | "good" | "bad"][] = [["conversations", "total"], ["answered", "good"], ["abandoned", "bad"]];

interface ChartsProps {
  filters: ReportFilters;
  byDay: SummaryReport;
  byHour: SummaryReport;
}

export function ReportCharts({ filters, byDay, byHour }: ChartsProps) {
  const open = (by: GroupBy, groups: ReportGroup[], measure: Measure) => (index: number) => {
    const group = groups[index];
    if (group) window.location.hash = reportHref(filters, { measure, group: group.key, label: groupName(by, group) }, by);
  };
  const firstResponse: Series[] = [
    { label: "Median", tone: "median", values: byDay.groups.map((g) => g.first_response_seconds.median) },
    { label: "90% within", tone: "p90", values: byDay.groups.map((g) => g.first_response_seconds.p90) },
  ];
  return (
    <div class="charts">
      <Chart id="chart-day" title="Conversations by day" kind="bars" labels={byDay.groups.map((g) => groupName("day", g))}
        ticks={ticksOf(byDay)}
        series={volume(byDay)} format={String} steps={COUNT_STEPS} onPick={open("day", byDay.groups, "conversations")}>
        <VolumeTable filters={filters} summary={byDay} />
      </Chart>
      <Chart id="chart-hour" title="Conversations by hour of day" kind="bars"
        labels={byHour.groups.map((g) => g.key)} series={volume(byHour)} format={String} steps={COUNT_STEPS}
        onPick={open("hour", byHour.groups, "conversations")}>
        <VolumeTable filters={filters} summary={byHour} />
      </Chart>
      <Chart id="chart-first-response" title="First response by day" kind="lines"
        labels={byDay.groups.map((g) => groupName("day", g))} ticks={ticksOf(byDay)} series={firstResponse}
        format={(v) => duration(v)} steps={DURATION_STEPS}
        onPick={open("day", byDay.groups, "first_response_seconds")}>
        <FirstResponseTable filters={filters} summary={byDay} />
      </Chart>
    </div>
  );
}

function volume(summary: SummaryReport): Series[] {
  return VOLUME.map(([measure, tone]) => ({
    label: MEASURE_NAMES[measure], tone, values: summary.groups.map((g) => g[measure as "answered"]),
  }));
}

function VolumeTable({ filters, summary }: { filters: ReportFilters; summary: SummaryReport }) {
  const by = summary.group_by;
  return (
    <div class="table-scroll"><table class="figures-table compact">
      <thead>
        <tr>
          <th scope="col">{by === "day" ? "Day" : "Hour"}</th>
          {VOLUME.map(([m]) => <th scope="col" key={m} class="number">{MEASURE_NAMES[m]}</th>)}
        </tr>
      </thead>
      <tbody>
        {summary.groups.map((g) => {
          const name = groupName(by, g);
          return (
            <tr key={g.key}>
              <th scope="row">{name}</th>
              {VOLUME.map(([m]) => (
                <td key={m} class="number">
                  <FigureLink filters={filters} by={by} drill={{ measure: m, group: g.key, label: name }}
                    text={String(g[m as "answered"])} context={figureContext(m, name)} />
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table></div>
  );
}

function FirstResponseTable({ filters, summary }: { filters: ReportFilters; summary: SummaryReport }) {
  return (
    <div class="table-scroll"><table class="figures-table compact">
      <thead>
        <tr><th scope="col">Day</th><th scope="col" class="number">Median</th><th scope="col" class="number">90% within</th></tr>
      </thead>
      <tbody>
        {summary.groups.map((g) => {
          const name = groupName("day", g);
          const drill = { measure: "first_response_seconds" as const, group: g.key, label: name };
          return (
            <tr key={g.key}>
              <th scope="row">{name}</th>
              <td class="number">
                <FigureLink filters={filters} by="day" drill={drill} text={duration(g.first_response_seconds.median, true)}
                  context={figureContext("first_response_seconds", name)} />
              </td>
              <td class="number">{duration(g.first_response_seconds.p90, true)}</td>
            </tr>
          );
        })}
      </tbody>
    </table></div>
  );
}

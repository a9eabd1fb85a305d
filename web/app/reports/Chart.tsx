// A chart drawn by uPlot (canvas; no inline style or script, so the page's strict CSP holds)
// with a table of the same numbers beside it: the chart is one picture to assistive
// technology (role="img" and a name), the table is what it reads, and what a keyboard uses
// to open the conversations behind each number. The legend is the page's own (always
// shown, coloured by class); under the pointer, a line reads out the column's numbers, and
// a click opens the conversations of that column, for the chart's first series.

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

/** How a series is coloured (web/app/app.css: --tone-<tone>) and drawn. */
export type Tone = "total" | "good" | "bad" | "median" | "p90";

export interface Series {
  label: string;
  tone: Tone;
  values: (number | null)[];
}

interface ChartProps {
  /** The chart's heading and accessible name. */
  title: string;
  id: string;
  /** One per column: "Mon, Feb 3", "09". */
  labels: string[];
  /** The axis's shorter names of the columns ("Feb 3"); `labels` by default. */
  ticks?: string[];
  series: Series[];
  kind: "bars" | "lines";
  /** A value as the axis and the legend show it. */
  format: (value: number) => string;
  /** Steps of the value axis between its lines (counts: whole numbers; durations: round minutes). */
  steps: number[];
  /** A click on column `index`. */
  onPick?: (index: number) => void;
  /** The table alternative (with links to the conversations behind each number). */
  children: ComponentChildren;
}

const HEIGHT = 200;
const COLUMN_STEPS = [1, 2, 3, 4, 6, 7, 12, 14, 28, 56];

function toneColour(element: Element, tone: Tone): string {
  return getComputedStyle(element).getPropertyValue(`--tone-${tone}`).trim() || "#4a5563";
}

/** Side by side within a column: each series' bar a share of it, left to right. */
function barPaths(count: number, position: number): uPlot.Series.PathBuilder {
  const share = 0.8 / count;
  return uPlot.paths.bars!({
    size: [share, 48],
    disp: {
      x0: { unit: 1, values: (u) => (u.data[0] as number[]).map((x) => x - 0.4 + position * share) },
      size: { unit: 1, values: () => [share * 0.9] },
    },
  });
}

function options(props: ChartProps, element: HTMLElement, width: number, readout: HTMLElement): uPlot.Options {
  const { labels, series, kind, format, steps } = props;
  const ticks = props.ticks ?? labels;
  const muted = toneColour(element, "total");
  const font = `12px ${getComputedStyle(element).fontFamily}`;
  const axis = { stroke: muted, font, grid: { stroke: "#e4e8ec", width: 1 }, ticks: { stroke: "#d0d7de", width: 1 } };
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false, range: () => [-0.5, labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    legend: { show: false },
    cursor: { points: { show: kind === "lines" }, drag: { x: false, y: false } },
    hooks: {
      setCursor: [(u) => {
        const i = u.cursor.idx;
        readout.textContent = i === null || i === undefined ? "" : `${labels[i]}: ${series.map((s) =>
          `${s.label} ${s.values[i] === null ? "–" : format(s.values[i]!)}`).join(", ")}`;
      }],
    },
    series: [
      { label: "", value: (_u, i) => (i === null ? "" : labels[Math.round(i)] ?? "") },
      ...series.map((s, position) => {
        const colour = toneColour(element, s.tone);
        return {
          label: s.label,
          stroke: colour,
          fill: kind === "bars" ? colour : undefined,
          width: kind === "bars" ? 0 : 2,
          dash: s.tone === "p90" ? [6, 4] : undefined,
          spanGaps: false,
          points: { show: kind === "lines", size: 6, fill: colour },
          paths: kind === "bars" ? barPaths(series.length, position) : undefined,
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : format(v)),
        };
      }),
    ],
    axes: [
      { ...axis, grid: { show: false }, incrs: COLUMN_STEPS, space: 64,
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? ticks[i] ?? "" : "")) },
      { ...axis, incrs: steps, space: 32, size: 64, values: (_u, splits) => splits.map((v) => format(v)) },
    ],
  };
}

export function Chart(props: ChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLParagraphElement>(null);
  const picked = useRef(props.onPick);
  picked.current = props.onPick;
  useEffect(() => {
    const element = holder.current!;
    const data: uPlot.AlignedData = [props.labels.map((_, i) => i), ...props.series.map((s) => s.values)];
    const plot = new uPlot(options(props, element, Math.max(element.clientWidth, 240), readout.current!), data, element);
    const pick = () => {
      const index = plot.cursor.idx;
      if (index !== null && index !== undefined) picked.current?.(index);
    };
    plot.over.addEventListener("click", pick);
    const resized = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 240);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [props.labels.join("|"), JSON.stringify(props.series), props.kind]);
  const summary = `${props.title}: ${props.series.map((s) => s.label).join(", ")}, ${props.kind === "bars"
    ? "bars" : "lines"} per ${props.labels.length} columns. The table below has the same numbers.`;
  return (
    <section class="chart" aria-labelledby={`${props.id}-title`}>
      <h4 id={`${props.id}-title`}>{props.title}</h4>
      <ul class="legend" aria-hidden="true">
        {props.series.map((s) => <li key={s.label}><span class={`swatch tone-${s.tone}`} />{s.label}</li>)}
      </ul>
      <div class={`chart-canvas${props.onPick ? " pickable" : ""}`} ref={holder} role="img" aria-label={summary} />
      <p class="readout meta" ref={readout} aria-hidden="true" />
      <details class="chart-table">
        <summary>{props.title}: as a table</summary>
        {props.children}
      </details>
    </section>
  );
}

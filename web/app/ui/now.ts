// The time now, re-rendering the component every `everyMs` (countdowns, time left, relative
// times). Every component asking for the same period shares one timer, started by the first
// and stopped with the last: a list of a hundred cards ticks once, not a hundred times.

import { useEffect, useState } from "preact/hooks";

const tickers = new Map<number, { timer: number; listeners: Set<(now: number) => void> }>();

function subscribe(everyMs: number, listener: (now: number) => void): () => void {
  let ticker = tickers.get(everyMs);
  if (!ticker) {
    const listeners = new Set<(now: number) => void>();
    const timer = window.setInterval(() => {
      const now = Date.now();
      listeners.forEach((l) => l(now));
    }, everyMs);
    tickers.set(everyMs, ticker = { timer, listeners });
  }
  ticker.listeners.add(listener);
  const mine = ticker;
  return () => {
    mine.listeners.delete(listener);
    if (mine.listeners.size === 0) {
      window.clearInterval(mine.timer);
      tickers.delete(everyMs);
    }
  };
}

export function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => subscribe(everyMs, setNow), [everyMs]);
  return now;
}

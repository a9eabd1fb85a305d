// The live figures of the workstreams a supervisor watches (GET /api/reports/live: every
// workstream they supervise, or all for an admin, in one call): read again when the change
// feed says one of their lists changed (`watched`, pushed by Web PubSub or by long poll), and
// otherwise every REFRESH_MS while the page is visible, so waits keep growing on screen.
// Never one call per conversation, nor one per notice while a call is under way.

import { useEffect, useRef, useState } from "preact/hooks";
import { api, problem } from "../api";
import type { LiveReport } from "../types";

export const REFRESH_MS = 15_000;

export function useLiveReport(watched: number) {
  const [report, setReport] = useState<LiveReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const state = useRef({ running: false, again: false, timer: 0, stopped: false });
  const read = useRef<() => Promise<void>>(async () => undefined);
  read.current = async () => {
    const s = state.current;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    window.clearTimeout(s.timer);
    try {
      do {
        s.again = false;
        const answer = await api.get<LiveReport>("/reports/live");
        if (s.stopped) return;
        setReport(answer);
        setError(null);
      } while (s.again && !s.stopped);
    } catch (caught) {
      if (!s.stopped) setError(problem(caught).message);
    } finally {
      s.running = false;
      if (!s.stopped) s.timer = window.setTimeout(tick, REFRESH_MS);
    }
  };
  const tick = () => {
    if (document.visibilityState === "visible") void read.current();
  };
  useEffect(() => {
    const s = state.current;
    s.stopped = false;
    const shown = () => {
      if (document.visibilityState === "visible" && !s.running) void read.current();
    };
    document.addEventListener("visibilitychange", shown);
    return () => {
      s.stopped = true;
      window.clearTimeout(s.timer);
      document.removeEventListener("visibilitychange", shown);
    };
  }, []);
  useEffect(() => void read.current(), [watched]);
  return { report, error };
}

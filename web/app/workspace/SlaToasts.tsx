// Service-level alerts for the agent: a warning or breach the server just recorded on a
// conversation the agent holds or is offered. The notice names only ids and targets, so the
// customer is named as the inbox's lists know them ("a conversation" when they do not);
// no message ever shows. Each alert stays a while in a polite live region, beside the work,
// with a link to the conversation and a button to dismiss it.

import { useEffect, useRef, useState } from "preact/hooks";
import { href } from "../router";
import type { SlaNotice, ServiceTarget } from "../types";
import { customerLabel } from "./conversation";
import type { Feed } from "./feed";
import { TARGET_NAMES } from "./ServiceClock";

const SHOWN_MS = 20_000;
const AT_MOST = 3;

interface Toast {
  key: number;
  id: string;
  text: string;
  late: boolean;
}

/** One line per target the notice names, at its worst level: "First response for Ana is late". */
export function alertLines(notice: SlaNotice, who: string): { text: string; late: boolean }[] {
  const late = new Map<ServiceTarget, boolean>();
  notice.alerts.forEach((a) => late.set(a.target, late.get(a.target) || a.level === "breached"));
  return [...late].map(([target, isLate]) => ({
    text: `${TARGET_NAMES[target]} for ${who} is ${isLate ? "late" : "due soon"}`, late: isLate,
  }));
}

function useToasts(feed: Feed) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const counter = useRef(0);
  const timers = useRef(new Set<number>());
  const dismiss = (key: number) => setToasts((list) => list.filter((t) => t.key !== key));
  useEffect(() => {
    feed.onAlert = (notice) => {
      const found = feed.find(notice.conversation_id);
      const fresh = alertLines(notice, found ? customerLabel(found) : "a conversation")
        .map((line) => ({ ...line, key: ++counter.current, id: notice.conversation_id }));
      setToasts((list) => [...list, ...fresh].slice(-AT_MOST));
      fresh.forEach((t) => {
        const timer = window.setTimeout(() => { timers.current.delete(timer); dismiss(t.key); }, SHOWN_MS);
        timers.current.add(timer);
      });
    };
    return () => {
      feed.onAlert = () => undefined;
      timers.current.forEach((timer) => window.clearTimeout(timer));
    };
  }, [feed]);
  return { toasts, dismiss };
}

export function SlaToasts({ feed }: { feed: Feed }) {
  const { toasts, dismiss } = useToasts(feed);
  return (
    <div class="toasts">
      <ul aria-live="polite" aria-label="Service-level alerts">
        {toasts.map((t) => (
          <li key={t.key} class={`toast${t.late ? " late" : ""}`}>
            <a href={href("inbox", t.id)}>{t.text}</a>
            <button type="button" class="link-button" onClick={() => dismiss(t.key)}
              aria-label={`Dismiss: ${t.text}`}>Dismiss</button>
          </li>
        ))}
      </ul>
    </div>
  );
}

// Passing alerts beside the work (service levels, mentions): each stays a while in a polite
// live region, at most a few at once, with a link to its conversation and a button to
// dismiss it. They name conversations by their customer, never by what anyone wrote.

import { useEffect, useRef, useState } from "preact/hooks";
import { href } from "../router";

const SHOWN_MS = 20_000;
const AT_MOST = 3;

export interface Toast {
  key: number;
  /** The conversation it links to. */
  id: string;
  text: string;
  /** A class of its look: "late" (red), "soon" (amber), "mention" (blue). */
  tone: string;
}

/** The toasts shown, `add` for new ones (each dismissed by itself after a while), `dismiss`. */
export function useToastList() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const counter = useRef(0);
  const timers = useRef(new Set<number>());
  const dismiss = (key: number) => setToasts((list) => list.filter((t) => t.key !== key));
  const add = (fresh: Omit<Toast, "key">[]) => {
    const keyed = fresh.map((t) => ({ ...t, key: ++counter.current }));
    setToasts((list) => [...list, ...keyed].slice(-AT_MOST));
    keyed.forEach((t) => {
      const timer = window.setTimeout(() => { timers.current.delete(timer); dismiss(t.key); }, SHOWN_MS);
      timers.current.add(timer);
    });
  };
  useEffect(() => () => timers.current.forEach((timer) => window.clearTimeout(timer)), []);
  return { toasts, add, dismiss };
}

/** Whether a notice (a conversation at a version) was heard already: a supervisor who holds
 *  the conversation hears its alert twice, as its holder and through the workstream's group. */
export function useOnce() {
  const heard = useRef(new Set<string>());
  return (key: string): boolean => {
    if (heard.current.has(key)) return false;
    heard.current.add(key);
    if (heard.current.size > 100) heard.current.delete(heard.current.values().next().value!);
    return true;
  };
}

export function ToastList({ label, toasts, dismiss }: { label: string; toasts: Toast[]; dismiss: (key: number) => void }) {
  return (
    <ul aria-live="polite" aria-label={label}>
      {toasts.map((t) => (
        <li key={t.key} class={`toast ${t.tone}`}>
          <a href={href("inbox", t.id)}>{t.text}</a>
          <button type="button" class="link-button" onClick={() => dismiss(t.key)}
            aria-label={`Dismiss: ${t.text}`}>Dismiss</button>
        </li>
      ))}
    </ul>
  );
}

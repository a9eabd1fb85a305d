// The agent workspace's keyboard shortcuts: which key does what (listed by the help
// overlay, `?`), and the one document listener that calls them. None fires while the agent
// types (in an input, a text area, a select or anything editable), nor with Ctrl, Alt or
// Meta held, nor while a dialog of the page is open.

import { useEffect, useRef } from "preact/hooks";

export type ShortcutKey = "?" | "a" | "d" | "c" | "/" | "j" | "k" | "x";

export const SHORTCUTS: [ShortcutKey, string][] = [
  ["?", "Show these shortcuts"],
  ["a", "Accept the offer that lapses first"],
  ["d", "Decline the offer that lapses first"],
  ["c", "Focus the composer"],
  ["/", "Open the quick replies"],
  ["j", "Next conversation in the list"],
  ["k", "Previous conversation in the list"],
  ["x", "Close the open conversation"],
];

const KEYS = new Set<string>(SHORTCUTS.map(([key]) => key));

/** Where a key press is text: an input, a text area, a select or editable content. */
export function typing(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest("input, textarea, select")) return true;
  return target instanceof HTMLElement && target.isContentEditable;
}

/** The shortcut a key press asks for, or null when it is not one (or not now). */
export function shortcutOf(event: KeyboardEvent): ShortcutKey | null {
  if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.altKey || event.metaKey) return null;
  if (!KEYS.has(event.key) || typing(event.target)) return null;
  if (document.querySelector("[aria-modal='true'], [role='alertdialog']")) return null;
  return event.key as ShortcutKey;
}

/** Calls `run` with each shortcut pressed while the calling component is shown. */
export function useShortcuts(run: (key: ShortcutKey) => void): void {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    const keyDown = (event: KeyboardEvent) => {
      const key = shortcutOf(event);
      if (!key) return;
      event.preventDefault();
      latest.current(key);
    };
    document.addEventListener("keydown", keyDown);
    return () => document.removeEventListener("keydown", keyDown);
  }, []);
}

// What the keys that act on the page do, each answering what to announce.

/** What the composer shows (a reply or a note), not its Reply / Internal note choice. */
const shown = (element: Element) => !element.closest("[hidden], .compose-mode");

/** `c`: the composer's text (or, once only a template can go out, its first field). */
export function focusComposer(root: HTMLElement): string {
  const field = [...root.querySelectorAll<HTMLElement>(
    ".composer textarea, .composer input, .composer select, .composer summary")].find(shown);
  if (!field) return "No composer here: open a conversation that is not closed";
  field.focus();
  return "Composer focused";
}

/** `/`: the quick replies opened, the first one focused. */
export function openQuickReplies(root: HTMLElement): string {
  const replies = root.querySelector<HTMLDetailsElement>(".composer details.quick-replies");
  if (!replies) return "This conversation has no quick replies";
  if (!shown(replies)) return "Quick replies are for replies: choose Reply first";
  replies.open = true;
  const buttons = replies.querySelectorAll<HTMLButtonElement>("button");
  buttons[0]?.focus();
  return `Quick replies opened: ${buttons.length}`;
}

/** `j` and `k`: the next (+1) or previous (-1) conversation of the inbox, opened. */
export function step(root: HTMLElement, by: 1 | -1): string {
  const links = [...root.querySelectorAll<HTMLAnchorElement>(".inbox a.inbox-item")];
  if (links.length === 0) return "No conversations in the list";
  const at = links.findIndex((a) => a.getAttribute("aria-current") === "true");
  const next = at < 0 ? (by > 0 ? 0 : links.length - 1) : at + by;
  if (next < 0) return "This is the first conversation";
  if (next >= links.length) return "This is the last conversation";
  window.location.hash = links[next].getAttribute("href") ?? "";
  return `Opened ${links[next].querySelector(".who")?.textContent ?? "conversation"}, ${next + 1} of ${links.length}`;
}

/** `x`: the open conversation's Close button pressed, so its confirmation still asks. */
export function pressClose(root: HTMLElement): string | null {
  const close = [...root.querySelectorAll<HTMLButtonElement>(".pane-header .actions button")]
    .find((b) => b.textContent === "Close");
  if (!close) return "No open conversation to close";
  close.click();
  return null; // the confirmation, the closed notice or the error tells what happened
}

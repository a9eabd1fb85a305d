// A save's confirmation ("Account saved at 10:42:05."): one polite status the app keeps at
// the foot of the screen. It outlives the navigation a save makes (to a new record's page,
// back to the list) and goes with the next one; the time makes a second save of the same
// record a new announcement. It leaves the screen after a few seconds, so it never keeps
// covering the form it sits over (a screen reader heard it at once).

import { useEffect } from "preact/hooks";
import { navigate, useRoute } from "../router";
import { Store, useStore } from "../store";

const saved = new Store({ text: "", at: "" });
const SHOWN_MS = 8000;

/** Confirms that `what` ("Account") was saved, after going to `to` when given. */
export function confirmSaved(what: string, ...to: string[]): void {
  if (to.length) navigate(...to);
  saved.update({ text: `${what} saved at ${new Date().toLocaleTimeString()}.`, at: window.location.hash });
}

/** A new save is under way: the last one's confirmation would read as this one's. */
export function clearSaved(): void {
  if (saved.get().text) saved.update({ text: "", at: "" });
}

export function SaveStatus() {
  const { text, at } = useStore(saved);
  useRoute();  // shown on the page it was confirmed for only
  useEffect(() => {
    if (!text) return undefined;
    const gone = window.setTimeout(() => saved.update({ text: "", at: "" }), SHOWN_MS);
    return () => window.clearTimeout(gone);
  }, [text]);
  return <p class="save-status" role="status">{text && at === window.location.hash ? text : ""}</p>;
}

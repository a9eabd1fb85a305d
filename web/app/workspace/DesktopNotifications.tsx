// The "Desktop notifications" choice beside the chime: ticking it is the one moment the
// browser's permission is asked (never on load), and beside it what holds: on, blocked by
// the browser (with how to allow it again) or not supported; a polite status, so a screen
// reader hears the browser's answer.

import { useState } from "preact/hooks";
import { type DesktopState, desktopState, setDesktop } from "./notify";

const SAYS: Record<DesktopState, string> = {
  on: "On: new offers, customers writing while this tab is hidden, and mentions",
  off: "",
  blocked: "Blocked by the browser: allow notifications for this site in its site settings "
    + "(the icon before the address), then tick again",
  unsupported: "This browser shows no desktop notifications",
};

/** `mentionsOnly`: for a supervisor who takes no conversations, only notes naming him come. */
export function DesktopNotifications({ mentionsOnly = false }: { mentionsOnly?: boolean }) {
  const [state, setState] = useState<DesktopState>(desktopState);
  const change = async (box: HTMLInputElement) => {
    const now = await setDesktop(box.checked);
    box.checked = now === "on"; // a refusal leaves the state as it was, so no render would untick it
    setState(now);
  };
  return (
    <p class="meta cue">
      <input id="desktop-notifications" type="checkbox" checked={state === "on"} disabled={state === "unsupported"}
        aria-describedby="desktop-notifications-state" onChange={(e) => void change(e.currentTarget)} />
      <label for="desktop-notifications">Desktop notifications</label>
      <span id="desktop-notifications-state" class="muted" role="status">
        {state === "on" && mentionsOnly ? "On: notes that mention you" : SAYS[state]}
      </span>
    </p>
  );
}

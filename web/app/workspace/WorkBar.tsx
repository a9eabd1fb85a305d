// The agent's own state above the inbox: presence (only an available agent is offered
// work; an offline or away one is asked to go available: letting an offer lapse sets an
// agent away), free capacity per channel,
// the optional chime for new offers and desktop notifications. A supervisor who takes no
// conversations gets the desktop notifications alone: notes name supervisors too.

import { useState } from "preact/hooks";
import { api, problem } from "../api";
import { label } from "../format";
import { can } from "../session";
import { useStore } from "../store";
import type { Me, Presence, Work } from "../types";
import { DesktopNotifications } from "./DesktopNotifications";
import type { Feed } from "./feed";
import { setSound, soundOn } from "./notify";

const PRESENCES: Presence[] = ["available", "busy", "away", "offline"];
const CHANNELS: [keyof Work["load"], string][] = [["sms", "SMS"], ["whatsapp", "WhatsApp"]];
const DEFAULT_CAPACITY = 3;

/** The places `channel` has, and how many of them are free. */
export function places(work: Pick<Work, "capacity" | "load">, channel: keyof Work["load"]) {
  const capacity = work.capacity[channel] ?? DEFAULT_CAPACITY;
  return { capacity, free: Math.max(0, capacity - (work.load[channel] ?? 0)) };
}

export function freeCapacity(work: Work): string {
  return CHANNELS.map(([channel, name]) => {
    const { capacity, free } = places(work, channel);
    return `${name} ${free} of ${capacity}`;
  }).join(" · ");
}

export function WorkBar({ me, feed }: { me: Me; feed: Feed }) {
  const { work } = useStore(feed);
  const [error, setError] = useState<string | null>(null);
  const [sound, setSoundShown] = useState(soundOn());
  if (!can(me, "agent")) {
    return can(me, "supervisor") ? <div class="work-bar"><DesktopNotifications mentionsOnly /></div> : null;
  }
  const choose = async (presence: string) => {
    setError(null);
    try {
      feed.setWork(await api.put<Me>("/me/presence", { presence }));
    } catch (caught) {
      setError(problem(caught).message);
    }
  };
  const goAvailable = async () => {
    await choose("available");
    // Where the prompt was, now gone: not the presence list, where a shortcut's letter
    // would choose a presence (`a`: away) instead of acting.
    document.getElementById("free-capacity")?.focus();
  };
  const idle = work.presence === "offline" || work.presence === "away";
  return (
    <div class="work-bar">
      {idle ? (
        <div class="notice presence-prompt">
          <p>You are {work.presence}: no conversations are offered to you.
            {work.presence === "away" ? " An offer left to lapse sets you away." : ""}</p>
          <button type="button" onClick={() => void goAvailable()}>Go available</button>
        </div>
      ) : null}
      <label for="presence">Presence</label>
      <select id="presence" class={`presence-${work.presence}`} value={work.presence}
        onChange={(e) => void choose(e.currentTarget.value)}>
        {PRESENCES.map((p) => <option key={p} value={p}>{label(p)}</option>)}
      </select>
      <p class="meta" id="free-capacity" tabIndex={-1}>Free: {freeCapacity(work)}</p>
      <p class="meta cue">
        <input id="sound" type="checkbox" checked={sound}
          onChange={(e) => { setSound(e.currentTarget.checked); setSoundShown(e.currentTarget.checked); }} />
        <label for="sound">Sound on a new offer</label>
      </p>
      <DesktopNotifications />
      {error ? <p class="notice error" role="alert">{error}</p> : null}
    </div>
  );
}

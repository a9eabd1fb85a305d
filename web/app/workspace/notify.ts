// The agent's optional cues, each off until turned on (the choice kept in this browser): a
// chime for a new offer, a short tone made by Web Audio, so no sound file ships; and desktop
// notifications (what they say: notifications.ts), which the browser must permit too.

import { navigate } from "../router";
import type { DesktopNote } from "./notifications";

const SOUND = "switchboard.sound";
const DESKTOP = "switchboard.notifications";

let audio: AudioContext | null = null;

function chosen(key: string): boolean {
  try {
    return window.localStorage.getItem(key) === "on";
  } catch {
    return false;
  }
}

function choose(key: string, on: boolean): void {
  try {
    window.localStorage.setItem(key, on ? "on" : "off");
  } catch {
    // private mode: the choice lasts until the page is left
  }
}

export function soundOn(): boolean {
  return chosen(SOUND);
}

/** Turned on from a click or a key press: browsers let audio start only after one. */
export function setSound(on: boolean): void {
  choose(SOUND, on);
  if (on) context();
}

function context(): AudioContext | null {
  if (!audio && typeof AudioContext !== "undefined") audio = new AudioContext();
  return audio;
}

export function chime(): void {
  const audio = soundOn() ? context() : null;
  if (!audio) return;
  const tone = audio.createOscillator();
  const volume = audio.createGain();
  tone.frequency.value = 880;
  volume.gain.setValueAtTime(0.08, audio.currentTime);
  volume.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.4);
  tone.connect(volume).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.4);
}

/** Desktop notifications: on (chosen and permitted), off, blocked (the browser refused this
 *  site; only its site settings can allow it again) or unsupported. A refusal is news only to
 *  someone who asked: an agent who never ticked the box (or whose browser refuses every site,
 *  as a headless one does) sees it off, not blocked. */
export type DesktopState = "on" | "off" | "blocked" | "unsupported";

export function desktopState(): DesktopState {
  if (typeof Notification === "undefined") return "unsupported";
  if (Notification.permission === "denied") return chosen(DESKTOP) ? "blocked" : "off";
  return Notification.permission === "granted" && chosen(DESKTOP) ? "on" : "off";
}

/** Only from a click: browsers ignore (or hold against the site) a permission asked unprompted. */
export async function setDesktop(on: boolean): Promise<DesktopState> {
  if (typeof Notification === "undefined") return "unsupported";
  if (on && Notification.permission === "default") await Notification.requestPermission();
  choose(DESKTOP, on && Notification.permission === "granted");
  return on && Notification.permission === "denied" ? "blocked" : desktopState();
}

/** Shown when on; a click brings the workspace forward on the conversation. */
export function notify(note: DesktopNote): void {
  if (desktopState() !== "on") return;
  try {
    const shown = new Notification(note.title, { body: note.body, tag: note.tag });
    shown.onclick = () => {
      window.focus();
      navigate("inbox", note.conversation);
      shown.close();
    };
  } catch {
    // a browser that shows them only from a service worker (Android): the page's cues remain
  }
}

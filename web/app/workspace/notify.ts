// The optional chime for a new offer: off unless the agent turns it on (kept in this
// browser), a short tone made by Web Audio, so no sound file ships.

const KEY = "switchboard.sound";

let audio: AudioContext | null = null;

export function soundOn(): boolean {
  try {
    return window.localStorage.getItem(KEY) === "on";
  } catch {
    return false;
  }
}

/** Turned on from a click or a key press: browsers let audio start only after one. */
export function setSound(on: boolean): void {
  try {
    window.localStorage.setItem(KEY, on ? "on" : "off");
  } catch {
    // private mode: the choice lasts until the page is left
  }
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

// How times, durations and placeholders read in the app.

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function when(iso: string | null | undefined): string {
  return iso ? timeFormat.format(new Date(iso)) : "–";
}

/** "3 h 12 min" until `iso`, or null once it has passed. */
export function timeLeft(iso: string | null, now: number = Date.now()): string | null {
  if (!iso) return null;
  const minutes = Math.floor((new Date(iso).getTime() - now) / 60000);
  if (minutes < 0) return null;
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

export interface PlaceholderValues {
  customer_name: string;
  "contact.name": string;
  agent_name: string;
}

const PLACEHOLDER = /\{\{\s*([a-z_.]+)\s*\}\}/g;

/** A quick reply's text with {{customer_name}}, {{contact.name}} and {{agent_name}} filled in.
 *  A placeholder without a value (no customer name known), or unknown, is left as written,
 *  never made empty: `unfilled` finds it, and the composer sends nothing until it is filled. */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name as keyof PlaceholderValues] : "";
    return value.trim() ? value : whole;
  });
}

export interface Unfilled {
  placeholder: string; // as written: "{{customer_name}}"
  label: string; // as a person reads it: "customer name"
  start: number;
  end: number;
}

/** The {{...}} placeholders still in a text, in order: what the agent fills in before sending. */
export function unfilled(text: string): Unfilled[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({
    placeholder: m[0], label: m[1].replace(/[._]/g, " "), start: m.index!, end: m.index! + m[0].length,
  }));
}

/** The {{1}}, {{2}}, ... of a template, as many parameters as it takes. */
export function templateParameters(text: string): number {
  return new Set([...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1])).size;
}

export function label(value: string): string {
  return value.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** "1:05" until `iso` (minutes and seconds), "0:00" once it has passed. */
export function countdown(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.ceil((new Date(iso).getTime() - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export function channelName(channel: string): string {
  return channel === "whatsapp" ? "WhatsApp" : channel === "sms" ? "SMS" : channel;
}

/** The business address as people read it: a number or short code; null for an ACS
 *  channel registration's id (a GUID), which tells an agent nothing. */
export function businessNumber(business: string): string | null {
  return /^\+?\d+$/.test(business) ? business : null;
}

/** A duration as a person reads it: "45 s", "3 min", "1 h 5 min"; `precise` keeps the
 *  seconds below ten minutes ("2 min 5 s"). "–" for none. */
export function duration(seconds: number | null | undefined, precise = false): string {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    const rest = s % 60;
    return precise && minutes < 10 && rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** The characters of `text` as the API counts them (code points: an emoji is one, where
 *  JavaScript's `length` counts two). */
export function characters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

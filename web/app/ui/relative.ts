// Relative times, as the inbox's cards show them: how long a conversation has waited, how
// long ago something happened, how long until (or since) something is due. Pure: the
// instants come in, the text goes out.

import { duration } from "../format";

const MINUTE = 60_000;

/** The time from `from` to `to` (ms since the epoch) in whole minutes: "3 min", "1 h 5 min",
 *  "2 h", "1 d 4 h"; null under a minute (or when `to` is before `from`: a clock behind). */
export function between(from: number, to: number): string | null {
  const minutes = Math.floor((to - from) / MINUTE);
  if (minutes < 1) return null;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return duration(minutes * 60); // whole minutes: "3 min", "1 h 5 min", "2 h"
  return hours % 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${Math.floor(hours / 24)} d`;
}

/** "waiting 3 min" since `iso`; "waiting under 1 min" at first. */
export function waiting(iso: string, now: number): string {
  return `waiting ${between(Date.parse(iso), now) ?? "under 1 min"}`;
}

/** A due time seen from `now`: "in 4 min" (or "in under 1 min") before it, "3 min late" (or
 *  "under 1 min late") once it has passed. */
export function dueIn(iso: string, now: number): string {
  const due = Date.parse(iso);
  return due > now ? `in ${between(now, due) ?? "under 1 min"}` : `${between(due, now) ?? "under 1 min"} late`;
}

/** When `iso` was, seen from `now`: "just now", "2 min ago", "1 h 5 min ago" (the same day,
 *  or under 12 h), "yesterday", "3 days ago", then the date ("Dec 6"). */
export function ago(iso: string, now: number): string {
  const then = Date.parse(iso);
  const days = calendarDays(then, now);
  if (now - then < 12 * 60 * MINUTE || days <= 0) {
    const span = between(then, now);
    return span ? `${span} ago` : "just now";
  }
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  return dayFormat.format(then);
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** Local midnights between the two instants: 0 the same day, 1 the day before. */
function calendarDays(from: number, to: number): number {
  const midnight = (t: number) => new Date(t).setHours(0, 0, 0, 0);
  return Math.round((midnight(to) - midnight(from)) / (24 * 60 * MINUTE)); // round: a DST day is 23 or 25 h
}

// A relative time that keeps itself current: "waiting 3 min", "2 min ago". The absolute
// time is its `datetime`, its tooltip and, for screen readers, read after it. Every one on
// the page re-renders on the same 15-second timer (useNow shares it).

import { when } from "../format";
import { useNow } from "./now";
import { ago, waiting } from "./relative";

export function RelativeTime({ iso, waited = false }: { iso: string; waited?: boolean }) {
  const now = useNow(15_000);
  const absolute = when(iso);
  return (
    <time dateTime={iso} title={absolute}>
      {waited ? waiting(iso, now) : ago(iso, now)}
      <span class="visually-hidden">{waited ? `, since ${absolute}` : `, ${absolute}`}</span>
    </time>
  );
}

// Routes live in the URL's fragment (#/inbox/<id>, #/admin/accounts, #/reports?from=...),
// so every screen is served by the one page at / and links, reloads and the back button
// work. What follows a "?" in the fragment is the screen's query (the reports' filters).

import { useEffect, useState } from "preact/hooks";

function fragment(): [string, string] {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const at = hash.indexOf("?");
  return at < 0 ? [hash, ""] : [hash.slice(0, at), hash.slice(at + 1)];
}

export function currentRoute(): string[] {
  return fragment()[0].split("/").filter(Boolean).map(decodeURIComponent);
}

/** The fragment's query: `#/reports?from=2025-01-01` gives from=2025-01-01. */
export function currentQuery(): URLSearchParams {
  return new URLSearchParams(fragment()[1]);
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join("/")}`;
}

/** `query`: appended after "?", leaving out undefined and null (an empty value is kept:
 *  the reports read `queue=` as "no queue"). */
export function hrefWithQuery(parts: string[], query: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(name, value);
  }
  const search = params.toString();
  return search ? `${href(...parts)}?${search}` : href(...parts);
}

export function navigate(...parts: string[]): void {
  window.location.hash = href(...parts);
}

/** The value shown while it still reads the same, so a re-read that found no change renders nothing. */
function same<T extends string[] | URLSearchParams>(shown: T, now: T): T {
  const key = (v: T) => (v instanceof URLSearchParams ? v.toString() : JSON.stringify(v));
  return key(shown) === key(now) ? shown : now;
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const changed = () => setRoute((shown) => same(shown, currentRoute()));
    window.addEventListener("hashchange", changed);
    changed(); // a change between the first render and this effect would otherwise be missed
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}

/** The fragment's query, read again whenever the fragment changes. */
export function useQuery(): URLSearchParams {
  const [query, setQuery] = useState(currentQuery());
  useEffect(() => {
    const changed = () => setQuery((shown) => same(shown, currentQuery()));
    window.addEventListener("hashchange", changed);
    changed();
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return query;
}

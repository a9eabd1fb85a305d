// The audit trail: every admin change, newest first, filtered by who, what, which record
// and when, a page at a time. It is read only: the API has no route that changes it.

import { useEffect, useState } from "preact/hooks";
import { api, problem } from "../api";
import { when } from "../format";
import type { AuditEntry, AuditPage } from "./customerData";

interface Filters {
  actor: string;
  action: string;
  target: string;
  since: string;
  until: string;
}

const EMPTY: Filters = { actor: "", action: "", target: "", since: "", until: "" };
const LABELS: [keyof Filters, string][] = [
  ["actor", "Who (object id)"], ["action", "Action or kind"], ["target", "Record id"], ["since", "From"], ["until", "Until"],
];

function query(filters: Filters, next: string | null): Record<string, string | null> {
  const iso = (local: string) => (local ? new Date(local).toISOString() : "");
  return { ...filters, since: iso(filters.since), until: iso(filters.until), limit: "50", next };
}

export function Audit() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (more: string | null) => {
    try {
      const page = await api.get<AuditPage>("/admin/audit", query(filters, more));
      setEntries((shown) => (more ? [...shown, ...page.entries] : page.entries));
      setNext(page.next);
      setError(null);
    } catch (caught) {
      setError(problem(caught).message);
    }
  };
  useEffect(() => { void load(null); }, [filters]);
  return (
    <div class="page">
      <h2>Audit trail</h2>
      <p>Every change an admin made: who, when, from which address, and which fields (never their values).</p>
      <form class="search" role="search" aria-label="Filter the audit trail"
        onSubmit={(e) => { e.preventDefault(); setFilters(draft); }}>
        {LABELS.map(([name, label]) => {
          const input = (e: { currentTarget: HTMLInputElement }) => setDraft({ ...draft, [name]: e.currentTarget.value });
          return (
            <span key={name}>
              <label for={`audit-${name}`}>{label}</label>
              {name === "since" || name === "until"
                ? <input id={`audit-${name}`} type="datetime-local" value={draft[name]} onInput={input} />
                : <input id={`audit-${name}`} type="text" value={draft[name]} onInput={input} />}
            </span>
          );
        })}
        <button type="submit">Filter</button>
      </form>
      {error ? <p class="notice error" role="alert">{error}</p> : null}
      <table>
        <caption class="visually-hidden">Admin changes, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">From</th>
          <th scope="col">Action</th><th scope="col">Record</th><th scope="col">Fields</th></tr></thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{when(e.at)}</td><td>{e.actor.name}</td><td>{e.client_ip || "–"}</td>
              <td>{e.action}</td><td>{e.target}</td><td>{e.fields.join(", ") || "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 0 && !error ? <p class="muted">No change matches.</p> : null}
      {next ? <button type="button" class="secondary" onClick={() => void load(next)}>Older changes</button> : null}
    </div>
  );
}

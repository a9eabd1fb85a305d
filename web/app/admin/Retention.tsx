// Retention per workstream: how many days a closed conversation is kept before the timer
// deletes it (empty: kept). One field and one save per workstream.

import { useState } from "preact/hooks";
import { api, problem } from "../api";
import { useLoaded } from "./loaded";
import type { RetentionRow } from "./customerData";

export function Retention() {
  const [list, error] = useLoaded<{ workstreams: RetentionRow[] }>("/admin/workstreams");
  return (
    <div class="page">
      <h2>Retention</h2>
      <p>A closed conversation is deleted, with its messages, this many days after it closed. Leave it empty to keep
        conversations; the <code>RETENTION_MAX_DAYS</code> app setting caps every workstream.</p>
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {list && list.workstreams.length === 0 ? <p class="muted">No workstream yet.</p> : null}
      {list ? list.workstreams.map((w) => <RetentionField key={w.id} workstream={w} />) : null}
    </div>
  );
}

function RetentionField({ workstream }: { workstream: RetentionRow }) {
  const [days, setDays] = useState(workstream.retention_days == null ? "" : String(workstream.retention_days));
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const id = `retention-${workstream.id}`;
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const saved = await api.patch<RetentionRow>(`/admin/workstreams/${encodeURIComponent(workstream.id)}`,
        { retention_days: days.trim() ? Number(days) : null });
      setStatus({ text: saved.retention_days == null ? "Saved: kept" : `Saved: ${saved.retention_days} days`, error: false });
    } catch (caught) {
      setStatus({ text: problem(caught).message, error: true });
    }
  };
  return (
    <form class="search" aria-label={`Retention of ${workstream.name}`} onSubmit={save}>
      <label for={id}>{workstream.name} ({workstream.number}): days kept after closing</label>
      <input id={id} type="number" min={1} max={3650} value={days} aria-invalid={status?.error ? "true" : undefined}
        aria-describedby={status ? `${id}-status` : undefined} onInput={(e) => { setDays(e.currentTarget.value); setStatus(null); }} />
      <button type="submit">Save</button>
      {status ? <span id={`${id}-status`} class={status.error ? "notice error" : "muted"}
        role={status.error ? "alert" : "status"}>{status.text}</span> : null}
    </form>
  );
}

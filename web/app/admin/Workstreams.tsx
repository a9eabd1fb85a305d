// Workstreams: the list, one workstream's settings, and a new one.

import { useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import { href, navigate } from "../router";
import { CHANNEL_LABELS } from "./providers";
import { useLoaded } from "./loaded";
import type { Account, Workstream } from "./records";
import { WorkstreamForm } from "./WorkstreamForm";

export function Workstreams({ id }: { id: string | null }) {
  const [accounts] = useLoaded<{ accounts: Account[] }>("/admin/accounts");
  if (!accounts) return <div class="page"><h2>Workstreams</h2><p class="muted">Loading…</p></div>;
  if (id === "new") {
    return (
      <div class="page">
        <p><a href={href("admin", "workstreams")}>All workstreams</a></p>
        <h2>New workstream</h2>
        {accounts.accounts.length === 0
          ? <p class="notice">Create an account first: a workstream serves one of its numbers.</p>
          : <WorkstreamForm workstream={null} accounts={accounts.accounts}
              onSaved={(w) => navigate("admin", "workstreams", w.id)} />}
      </div>
    );
  }
  return id ? <OneWorkstream id={id} accounts={accounts.accounts} /> : <WorkstreamList accounts={accounts.accounts} />;
}

function WorkstreamList({ accounts }: { accounts: Account[] }) {
  const [list, error] = useLoaded<{ workstreams: Workstream[] }>("/admin/workstreams");
  const accountName = (id: string) => accounts.find((a) => a.id === id)?.name ?? id;
  return (
    <div class="page">
      <h2>Workstreams</h2>
      <p>How one business number behaves: hours, automated messages, queues and routing, distribution, templates
        and quick replies.</p>
      <p><a class="button" href={href("admin", "workstreams", "new")}>New workstream</a></p>
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {list && list.workstreams.length === 0 ? <p class="muted">No workstreams yet.</p> : null}
      {list && list.workstreams.length > 0 ? (
        <table>
          <caption class="visually-hidden">Workstreams</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Channel</th><th scope="col">Number</th><th scope="col">Account</th><th scope="col">Queues</th></tr></thead>
          <tbody>
            {list.workstreams.map((w) => (
              <tr key={w.id}>
                <td><a href={href("admin", "workstreams", w.id)}>{w.name}</a></td>
                <td>{CHANNEL_LABELS[w.channel] ?? w.channel}</td>
                <td>{w.number}</td>
                <td>{accountName(w.account_id)}</td>
                <td>{w.queues.join(", ") || "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function OneWorkstream({ id, accounts }: { id: string; accounts: Account[] }) {
  const [workstream, error, setWorkstream] = useLoaded<Workstream>(`/admin/workstreams/${encodeURIComponent(id)}`);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const remove = async () => {
    if (!workstream || !window.confirm(`Delete the workstream ${workstream.name}?`)) return;
    try {
      await api.delete(`/admin/workstreams/${encodeURIComponent(workstream.id)}`);
      navigate("admin", "workstreams");
    } catch (caught) {
      setDeleteError(problem(caught));
    }
  };
  return (
    <div class="page">
      <p><a href={href("admin", "workstreams")}>All workstreams</a></p>
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {workstream ? (
        <>
          <h2>{workstream.name}</h2>
          <p class="meta">{CHANNEL_LABELS[workstream.channel]} · {workstream.number} · id {workstream.id}</p>
          <p role="status" class="status">{saved ? "Saved." : ""}</p>
          <WorkstreamForm key={workstream.updated_at} workstream={workstream} accounts={accounts}
            onSaved={(w) => { setWorkstream(w); setSaved(true); }} />
          <section aria-labelledby="delete-title">
            <h3 id="delete-title">Delete</h3>
            {deleteError ? <p class="notice error" role="alert">{deleteError.message}</p> : null}
            <button type="button" class="danger" onClick={remove}>Delete this workstream</button>
          </section>
        </>
      ) : null}
    </div>
  );
}

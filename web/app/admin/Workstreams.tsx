// Workstreams: the list, one workstream's settings, and a new one.

import { useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import { navigate } from "../router";
import { RecordList, RecordPage } from "../ui/records";
import { confirmSaved } from "../ui/saved";
import { CHANNEL_LABELS } from "./providers";
import { useLoaded } from "./loaded";
import type { Account, Workstream } from "./records";
import { useCatalogue } from "./SkillList";
import { WorkstreamForm } from "./WorkstreamForm";

export function Workstreams({ id }: { id: string | null }) {
  const [accounts] = useLoaded<{ accounts: Account[] }>("/admin/accounts");
  const catalogue = useCatalogue();
  if (!accounts || !catalogue) return <div class="page"><h2>Workstreams</h2><p class="muted">Loading…</p></div>;
  if (id === "new") {
    return (
      <RecordPage kind="workstreams" back="All workstreams" title="New workstream" error={null}>
        {accounts.accounts.length === 0
          ? <p class="notice">Create an account first: a workstream serves one of its numbers.</p>
          : <WorkstreamForm workstream={null} accounts={accounts.accounts} catalogue={catalogue}
              onSaved={(w) => confirmSaved(`Workstream ${w.name}`, "admin", "workstreams", w.id)} />}
      </RecordPage>
    );
  }
  return id ? <OneWorkstream id={id} accounts={accounts.accounts} catalogue={catalogue} />
    : <WorkstreamList accounts={accounts.accounts} />;
}

function WorkstreamList({ accounts }: { accounts: Account[] }) {
  const [list, error] = useLoaded<{ workstreams: Workstream[] }>("/admin/workstreams");
  const accountName = (id: string) => accounts.find((a) => a.id === id)?.name ?? id;
  return (
    <RecordList<Workstream> kind="workstreams" title="Workstreams" newLabel="New workstream"
      empty="No workstreams yet." rows={list?.workstreams ?? null} error={error} name={(w) => w.name}
      intro={"How one business number behaves: hours, automated messages, queues and routing, distribution, "
        + "templates and quick replies."}
      columns={[
        { header: "Channel", cell: (w) => CHANNEL_LABELS[w.channel] ?? w.channel },
        { header: "Number", cell: (w) => w.number },
        { header: "Account", cell: (w) => accountName(w.account_id) },
        { header: "Queues", cell: (w) => w.queues.join(", ") || "–" },
      ]} />
  );
}

function OneWorkstream({ id, accounts, catalogue }: { id: string; accounts: Account[]; catalogue: string[] }) {
  const [workstream, error, setWorkstream] = useLoaded<Workstream>(`/admin/workstreams/${encodeURIComponent(id)}`);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
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
    <RecordPage kind="workstreams" back="All workstreams" title={workstream?.name} error={error}>
      {workstream ? (
        <>
          <p class="meta">{CHANNEL_LABELS[workstream.channel]} · {workstream.number} · id {workstream.id}</p>
          <WorkstreamForm key={workstream.updated_at} workstream={workstream} accounts={accounts} catalogue={catalogue}
            onSaved={(w) => { setWorkstream(w); confirmSaved(`Workstream ${w.name}`); }} />
          <section aria-labelledby="delete-title">
            <h3 id="delete-title">Delete</h3>
            {deleteError ? <p class="notice error" role="alert">{deleteError.message}</p> : null}
            <button type="button" class="danger" onClick={remove}>Delete this workstream</button>
          </section>
        </>
      ) : null}
    </RecordPage>
  );
}

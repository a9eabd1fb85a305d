// Accounts: the list, one account (its callback URLs, validating its credentials, its
// form) and a new one.

import { useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import { navigate } from "../router";
import { RecordList, RecordPage } from "../ui/records";
import { confirmSaved } from "../ui/saved";
import { AccountForm } from "./AccountForm";
import { CallbackUrls, ValidateCredentials } from "./AccountChecks";
import { AccountTemplates, syncsTemplates } from "./AccountTemplates";
import { useLoaded } from "./loaded";
import { CHANNEL_LABELS, PROVIDERS } from "./providers";
import type { Account } from "./records";

export function Accounts({ id }: { id: string | null }) {
  if (id === "new") {
    return (
      <RecordPage kind="accounts" back="All accounts" title="New account" error={null}>
        <AccountForm account={null} onSaved={(a) => confirmSaved(`Account ${a.name}`, "admin", "accounts", a.id)} />
      </RecordPage>
    );
  }
  return id ? <OneAccount id={id} /> : <AccountList />;
}

function AccountList() {
  const [list, error] = useLoaded<{ accounts: Account[] }>("/admin/accounts");
  return (
    <RecordList<Account> kind="accounts" title="Accounts" newLabel="New account" empty="No accounts yet."
      intro="A messaging account at a provider, with its numbers: where customers' messages come from."
      rows={list?.accounts ?? null} error={error} name={(a) => a.name} columns={[
        { header: "Provider", cell: (a) => PROVIDERS[a.provider]?.label ?? a.provider },
        { header: "Channel", cell: (a) => CHANNEL_LABELS[a.channel] ?? a.channel },
        { header: "Numbers", cell: (a) => [...a.numbers.map((n) => n.number), ...(a.channels ?? []).map((c) => c.name)]
          .join(", ") },
      ]} />
  );
}

function OneAccount({ id }: { id: string }) {
  const [account, error, setAccount] = useLoaded<Account>(`/admin/accounts/${encodeURIComponent(id)}`);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const remove = async () => {
    if (!account || !window.confirm(`Delete the account ${account.name}?`)) return;
    try {
      await api.delete(`/admin/accounts/${encodeURIComponent(account.id)}`);
      navigate("admin", "accounts");
    } catch (caught) {
      setDeleteError(problem(caught));
    }
  };
  return (
    <RecordPage kind="accounts" back="All accounts" title={account?.name} error={error}>
      {account ? (
        <>
          <p class="meta">{PROVIDERS[account.provider]?.label} · {CHANNEL_LABELS[account.channel]} · id {account.id}</p>
          <CallbackUrls account={account} />
          <ValidateCredentials account={account} />
          {syncsTemplates(account) ? <AccountTemplates account={account} /> : null}
          <section aria-labelledby="edit-title">
            <h3 id="edit-title">Settings</h3>
            <AccountForm key={account.updated_at} account={account}
              onSaved={(a) => { setAccount(a); confirmSaved(`Account ${a.name}`); }} />
          </section>
          <section aria-labelledby="delete-title">
            <h3 id="delete-title">Delete</h3>
            <p>An account a workstream uses cannot be deleted.</p>
            {deleteError ? <p class="notice error" role="alert">{deleteError.message}</p> : null}
            <button type="button" class="danger" onClick={remove}>Delete this account</button>
          </section>
        </>
      ) : null}
    </RecordPage>
  );
}

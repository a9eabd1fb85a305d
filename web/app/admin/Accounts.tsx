// Accounts: the list, one account (its callback URLs, validating its credentials, its
// form) and a new one.

import { useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import { href, navigate } from "../router";
import { AccountForm } from "./AccountForm";
import { CallbackUrls, ValidateCredentials } from "./AccountChecks";
import { useLoaded } from "./loaded";
import { CHANNEL_LABELS, PROVIDERS } from "./providers";
import type { Account } from "./records";

export function Accounts({ id }: { id: string | null }) {
  if (id === "new") {
    return (
      <div class="page">
        <p><a href={href("admin", "accounts")}>All accounts</a></p>
        <h2>New account</h2>
        <AccountForm account={null} onSaved={(a) => navigate("admin", "accounts", a.id)} />
      </div>
    );
  }
  return id ? <OneAccount id={id} /> : <AccountList />;
}

function AccountList() {
  const [list, error] = useLoaded<{ accounts: Account[] }>("/admin/accounts");
  return (
    <div class="page">
      <h2>Accounts</h2>
      <p>A messaging account at a provider, with its numbers: where customers' messages come from.</p>
      <p><a class="button" href={href("admin", "accounts", "new")}>New account</a></p>
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {list && list.accounts.length === 0 ? <p class="muted">No accounts yet.</p> : null}
      {list && list.accounts.length > 0 ? (
        <table>
          <caption class="visually-hidden">Accounts</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Provider</th><th scope="col">Channel</th><th scope="col">Numbers</th></tr></thead>
          <tbody>
            {list.accounts.map((a) => (
              <tr key={a.id}>
                <td><a href={href("admin", "accounts", a.id)}>{a.name}</a></td>
                <td>{PROVIDERS[a.provider]?.label ?? a.provider}</td>
                <td>{CHANNEL_LABELS[a.channel] ?? a.channel}</td>
                <td>{[...a.numbers.map((n) => n.number), ...(a.channels ?? []).map((c) => c.name)].join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
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
    <div class="page">
      <p><a href={href("admin", "accounts")}>All accounts</a></p>
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {account ? (
        <>
          <h2>{account.name}</h2>
          <p class="meta">{PROVIDERS[account.provider]?.label} · {CHANNEL_LABELS[account.channel]} · id {account.id}</p>
          <CallbackUrls account={account} />
          <ValidateCredentials account={account} />
          <section aria-labelledby="edit-title">
            <h3 id="edit-title">Settings</h3>
            <AccountForm key={account.updated_at} account={account} onSaved={setAccount} />
          </section>
          <section aria-labelledby="delete-title">
            <h3 id="delete-title">Delete</h3>
            <p>An account a workstream uses cannot be deleted.</p>
            {deleteError ? <p class="notice error" role="alert">{deleteError.message}</p> : null}
            <button type="button" class="danger" onClick={remove}>Delete this account</button>
          </section>
        </>
      ) : null}
    </div>
  );
}

// Erasing a customer: their number (or WhatsApp id), optionally one account, then a
// confirmation step that names what will go, then what was erased, by table.

import { useState } from "preact/hooks";
import { api, problem } from "../api";
import type { ErasureJob } from "./customerData";

// The export is a POST (the number stays out of URLs), saved as a file from memory.
function download(name: string, document: unknown) {
  const link = window.document.createElement("a");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: "application/json" }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

export function Erasure() {
  const [address, setAddress] = useState("");
  const [accountId, setAccountId] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState<ErasureJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const subject = () => ({ address, ...(accountId.trim() ? { account_id: accountId.trim() } : {}) });
  const exportData = async () => {
    try {
      download("customer.json", await api.post<unknown>("/admin/customers/export", subject()));
    } catch (caught) {
      setError(problem(caught).message);
    }
  };
  const erase = async () => {
    setBusy(true);
    try {
      setJob(await api.post<ErasureJob>("/admin/erasures", subject()));
      setError(null);
      setConfirming(false);
    } catch (caught) {
      setError(problem(caught).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="page">
      <h2>Erase a customer</h2>
      <p>Deletes every conversation, message, contact and other record that names the customer. An opt-out stays,
        as a keyed hash, so a later message from that number is still opted out. Export their data first if they asked
        for it.</p>
      <form class="search" aria-label="Whom to erase" onSubmit={(e) => { e.preventDefault(); setJob(null); setConfirming(true); }}>
        <label for="erase-address">Phone number or WhatsApp id</label>
        <input id="erase-address" type="text" required value={address} placeholder="+14255550100"
          onInput={(e) => { setAddress(e.currentTarget.value); setConfirming(false); }} />
        <label for="erase-account">Within account (id, optional)</label>
        <input id="erase-account" type="text" value={accountId}
          onInput={(e) => { setAccountId(e.currentTarget.value); setConfirming(false); }} />
        <button type="submit">Review</button>
        {address.trim() ? <button type="button" class="secondary" onClick={() => void exportData()}>Export their data</button> : null}
      </form>
      {confirming ? (
        <div class="notice" role="alertdialog" aria-labelledby="erase-confirm">
          <p id="erase-confirm">Erase everything about <strong>{address}</strong>
            {accountId.trim() ? ` in account ${accountId.trim()}` : " in every account"}? This cannot be undone.</p>
          <button type="button" class="danger" disabled={busy} onClick={() => void erase()}>Erase</button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      ) : null}
      {error ? <p class="notice error" role="alert">{error}</p> : null}
      {job ? (
        <div role="status">
          <p>Erasure {job.state === "done" ? "done" : "still running"}.</p>
          {job.state === "done" && !Object.values(job.erased).some((rows) => rows > 0) ? (
            <p class="notice warn">Nothing held this number: check it was typed
              as the customer wrote from (with its country code), and the account.</p>
          ) : null}
          <table>
            <caption>Rows erased, by table</caption>
            <thead><tr><th scope="col">Table</th><th scope="col">Rows</th></tr></thead>
            <tbody>
              {Object.entries(job.erased).map(([table, rows]) => <tr key={table}><td>{table}</td><td>{rows}</td></tr>)}
            </tbody>
          </table>
          {job.kept.optouts ? <p>Kept: {job.kept.optouts} hashed opt-out(s).</p> : null}
        </div>
      ) : null}
    </div>
  );
}

// A WhatsApp account's templates as its provider lists them: the account page's section
// (sync now, each template's status and category, gone and rejected ones shown so), and
// the workstream form's picker, which fills a workstream template from one instead of
// pasting it.

import { useState } from "preact/hooks";
import type { components } from "../api.gen";
import { ApiError, api, problem } from "../api";
import { useField } from "../ui/form";
import type { Template } from "../types";
import { useLoaded } from "./loaded";
import type { Account } from "./records";

type SyncedTemplate = components["schemas"]["SyncedTemplate"];
type Catalogue = components["schemas"]["TemplateCatalogue"];
type SyncResult = components["schemas"]["TemplateSync"];

/** Whether the account's provider lists its templates (what the sync route takes). */
export function syncsTemplates(account: Account | undefined): boolean {
  return account?.channel === "whatsapp" && (account.provider === "acs" || account.provider === "twilio");
}

export function catalogueUrl(accountId: string): string {
  return `/admin/accounts/${encodeURIComponent(accountId)}/templates`;
}

function Status({ template }: { template: SyncedTemplate }) {
  if (template.gone) return <span class="badge bad-badge">gone: no longer listed</span>;
  const kind = template.status === "approved" ? "ok" : template.status === "rejected" ? "bad-badge" : "warn";
  return <span class={`badge ${kind}`}>{template.status}</span>;
}

function Category({ template }: { template: SyncedTemplate }) {
  const changed = template.previous_category && template.previous_category !== template.category;
  return (
    <>
      {template.category ?? "–"}
      {changed ? <span class="badge warn">reclassified, was {template.previous_category}</span> : null}
    </>
  );
}

export function AccountTemplates({ account }: { account: Account }) {
  const [catalogue, error, setCatalogue] = useLoaded<Catalogue>(catalogueUrl(account.id));
  const [result, setResult] = useState<string>("");
  const [syncError, setSyncError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const sync = async () => {
    setBusy(true);
    setResult("");
    setSyncError(null);
    try {
      const synced = await api.post<SyncResult>(`${catalogueUrl(account.id)}/sync`);
      setCatalogue({ templates: synced.templates });
      setResult(`Synced: ${synced.added} new, ${synced.changed} changed, ${synced.gone} gone.`);
    } catch (caught) {
      setSyncError(problem(caught));
    } finally {
      setBusy(false);
    }
  };
  const templates = catalogue?.templates ?? [];
  return (
    <section aria-labelledby="templates-title">
      <h3 id="templates-title">Templates</h3>
      <p class="hint">As the provider lists them, synced every 6 hours and when you ask. Only approved templates are
        sent; workstreams pick from this list. The category prices each message sent (admin Rates); one the provider
        reclassified is marked so, and the change is in the audit trail.</p>
      <button type="button" onClick={sync} disabled={busy}>Sync templates now</button>
      <div role="status" class="status">
        {busy ? "Asking the provider…" : result}
        {syncError ? <p class="bad">The templates could not be synced: {syncError.message}</p> : null}
        {error ? <p class="bad">The templates could not be read: {error.message}</p> : null}
      </div>
      {catalogue && templates.length === 0 ? <p class="muted">Not synced yet.</p> : null}
      {templates.length ? (
        <table class="templates">
          <thead><tr><th scope="col">Name</th><th scope="col">Language</th><th scope="col">Status</th>
            <th scope="col">Category</th><th scope="col">Parameters</th><th scope="col">Text</th></tr></thead>
          <tbody>
            {templates.map((t) => (
              <tr key={`${t.name}|${t.language}`}>
                <th scope="row">{t.name}</th>
                <td>{t.language}</td>
                <td><Status template={t} />{t.reason ? <p class="hint">{t.reason}</p> : null}</td>
                <td><Category template={t} /></td>
                <td>{t.parameters.map((p) => (p.type === "text" ? p.name : `${p.name} (${p.type})`)).join(", ") || "none"}</td>
                <td>{t.body}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** Adds one of the account's approved templates to the workstream's list, its text and
 *  Twilio ContentSid as the provider has them. */
export function TemplatePicker({ account }: { account: Account | undefined }) {
  const field = useField("templates");
  const [catalogue] = useLoaded<Catalogue>(account && syncsTemplates(account) ? catalogueUrl(account.id) : null);
  const [picked, setPicked] = useState("");
  const usable = (catalogue?.templates ?? []).filter((t) => t.status === "approved" && !t.gone);
  if (!catalogue) return null;
  if (!usable.length) return <p class="muted">The account has no approved templates synced: sync them on its page.</p>;
  const key = (t: SyncedTemplate) => `${t.name}|${t.language}`;
  const chosen = usable.find((t) => key(t) === picked) ?? usable[0];
  const add = () => {
    const template: Template = { name: chosen.name, language: chosen.language, text: chosen.body,
      ...(chosen.provider_id ? { content_sid: chosen.provider_id } : {}) };
    field.set([...((field.value as Template[] | undefined) ?? []), template]);
  };
  return (
    <div class="template-picker">
      <label for="template-pick">Approved template of the account</label>
      <select id="template-pick" value={key(chosen)} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
        {usable.map((t) => (
          <option key={key(t)} value={key(t)}>
            {t.name} ({t.language}{t.category ? `, ${t.category}` : ""})</option>
        ))}
      </select>{" "}
      <button type="button" class="secondary" onClick={add}>Add this template</button>
    </div>
  );
}

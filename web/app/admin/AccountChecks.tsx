// What an admin does with a saved account: copy its callback URLs into the provider's
// console, and check its credentials with the provider.

import { useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import { PROVIDERS } from "./providers";
import type { Account } from "./records";

const URL_LABELS: Record<string, string> = { inbound_url: "Incoming messages", status_url: "Delivery reports",
  events_url: "Event Grid events" };

export function CallbackUrls({ account }: { account: Account }) {
  const [copied, setCopied] = useState("");
  const urls = Object.entries(account.callback).filter(([key]) => key !== "setup");
  const copy = async (key: string, url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(`${URL_LABELS[key] ?? key} URL copied.`);
    } catch {
      setCopied("The browser did not allow copying: select the URL and copy it yourself.");
    }
  };
  return (
    <section aria-labelledby="callbacks-title">
      <h3 id="callbacks-title">Callback URLs</h3>
      <dl class="callbacks">
        {urls.map(([key, url]) => (
          <div key={key} class="callback">
            <dt>{URL_LABELS[key] ?? key}</dt>
            <dd>
              <code id={`callback-${key}`}>{url}</code>{" "}
              <button type="button" class="secondary" aria-describedby={`callback-${key}`} onClick={() => copy(key, url)}>
                Copy {URL_LABELS[key]?.toLowerCase() ?? key} URL</button>
              <p class="hint">{PROVIDERS[account.provider]?.paste[key] ?? ""}</p>
            </dd>
          </div>
        ))}
      </dl>
      <p role="status" class="status">{copied}</p>
    </section>
  );
}

interface Validation {
  valid: boolean;
  detail: string;
}

export function ValidateCredentials({ account }: { account: Account }) {
  const [result, setResult] = useState<Validation | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const validate = async () => {
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(await api.post<Validation>(`/admin/accounts/${encodeURIComponent(account.id)}/validate`));
    } catch (caught) {
      setError(problem(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="validate-title">
      <h3 id="validate-title">Credentials</h3>
      <button type="button" onClick={validate} disabled={busy}>Validate credentials</button>
      <div role="status" class="status">
        {busy ? "Asking the provider…" : null}
        {result ? (
          <p class={result.valid ? "ok" : "bad"}>
            {result.valid ? "Valid" : "Not valid"}: {result.detail}
          </p>
        ) : null}
        {error ? <p class="bad">The provider could not be asked: {error.message}</p> : null}
      </div>
    </section>
  );
}

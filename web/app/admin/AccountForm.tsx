// Creating and changing an account: the provider's own credential fields, and its
// numbers (type long code, short code or toll free) or, for ACS WhatsApp, its channel ids.

import { api } from "../api";
import { BoundForm, Select, TextField, useForm } from "../ui/form";
import { ListField } from "../ui/list";
import { CHANNEL_LABELS, NUMBER_TYPES, PROVIDERS } from "./providers";
import type { Account, ChannelEntry, NumberEntry } from "./records";

interface Draft {
  name: string;
  provider: string;
  channel: string;
  credentials: Record<string, string>;
  numbers: NumberEntry[];
  channels: ChannelEntry[];
}

const UUID = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}";
const newNumber = (): NumberEntry => ({ number: "", type: "long_code", description: "" });

function draftOf(account: Account | null): Draft {
  if (!account) {
    return { name: "", provider: "twilio", channel: "sms", credentials: {}, numbers: [newNumber()], channels: [] };
  }
  const secrets = new Set(PROVIDERS[account.provider]?.credentials.filter((f) => f.secret).map((f) => f.name));
  const shown = Object.entries(account.credentials).filter(([name, value]) => !secrets.has(name) && value !== null);
  return { name: account.name, provider: account.provider, channel: account.channel,
    credentials: Object.fromEntries(shown) as Record<string, string>, numbers: account.numbers, channels: account.channels ?? [] };
}

/** The credentials to send: new values only (an emptied optional field removes it). */
function credentialsToSend(draft: Draft, account: Account | null): Record<string, string | null> {
  const sent: Record<string, string | null> = {};
  for (const field of PROVIDERS[draft.provider].credentials) {
    const value = (draft.credentials[field.name] ?? "").trim();
    const current = account?.credentials[field.name] ?? null;
    if (value && value !== current) sent[field.name] = value;
    else if (!value && current !== null && field.optional) sent[field.name] = null;
  }
  return sent;
}

function bodyOf(draft: Draft, account: Account | null): Record<string, unknown> {
  const registered = PROVIDERS[draft.provider].registered.includes(draft.channel);
  const body: Record<string, unknown> = { name: draft.name };
  if (!account) Object.assign(body, { provider: draft.provider, channel: draft.channel });
  const credentials = credentialsToSend(draft, account);
  if (!account || Object.keys(credentials).length) body.credentials = credentials;
  if (registered) body.channels = draft.channels.map(({ number, ...c }) => (number ? { ...c, number } : c));
  else body.numbers = draft.numbers;
  return body;
}

export function AccountForm({ account, onSaved }: { account: Account | null; onSaved: (a: Account) => void }) {
  const form = useForm<Draft>(draftOf(account));
  const draft = form.value;
  const provider = PROVIDERS[draft.provider];
  const registered = provider.registered.includes(draft.channel);
  const save = async () => {
    const body = bodyOf(draft, account);
    const saved = account
      ? await api.patch<Account>(`/admin/accounts/${encodeURIComponent(account.id)}`, body)
      : await api.post<Account>("/admin/accounts", body);
    onSaved(saved);
  };
  const pickProvider = (name: string) =>
    form.replace({ ...draft, provider: name, channel: PROVIDERS[name].channels[0], credentials: {} });
  const types = NUMBER_TYPES.filter(([t]) => draft.channel !== "whatsapp" || t !== "short_code");
  return (
    <BoundForm form={form} onSubmit={save} label={account ? "Account settings" : "New account"}>
      <TextField path="name" label="Name" required />
      <div class="field">
        <label for="field-provider">Provider</label>
        <select id="field-provider" value={draft.provider} disabled={!!account}
          onChange={(e) => pickProvider(e.currentTarget.value)}>
          {Object.entries(PROVIDERS).map(([name, p]) => <option key={name} value={name}>{p.label}</option>)}
        </select>
      </div>
      <Select path="channel" label="Channel" disabled={!!account}
        options={provider.channels.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))} />
      <fieldset>
        <legend>Credentials</legend>
        {account ? <p class="hint">Secrets are never shown again: leave one empty to keep it.</p> : null}
        {provider.credentials.map((f) => (
          <TextField key={f.name} path={`credentials.${f.name}`} label={f.optional ? `${f.label} (optional)` : f.label}
            type={f.secret ? "password" : "text"} autoComplete="off" required={!account && !f.optional}
            hint={f.secret && account?.credentials[f.name] ? `${f.hint}. Stored: ${account.credentials[f.name]}` : f.hint} />
        ))}
      </fieldset>
      {registered ? (
        <ListField<ChannelEntry> path="channels" legend="WhatsApp channels (ACS channel registrations)" itemName="channel"
          newItem={() => ({ name: "", channel_id: "", number: "" })} render={(p, i) => (
            <>
              <TextField path={`${p}.name`} label={`Channel ${i + 1} name`} required />
              <TextField path={`${p}.channel_id`} label={`Channel ${i + 1} id`} hint="the channel registration id, a UUID"
                required pattern={UUID} patternHint="must be a UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301" />
              <TextField path={`${p}.number`} label={`Channel ${i + 1} phone number (optional)`} type="tel" />
            </>
          )} />
      ) : (
        <ListField<NumberEntry> path="numbers" legend="Numbers" itemName="number" newItem={newNumber} render={(p, i) => (
          <>
            <TextField path={`${p}.number`} label={`Number ${i + 1}`} type="tel" required
              hint={"with its country code (+1 425 230 6549), or as dialled in the app's country ((425) 230-6549); "
                + "a short code is 3 to 8 digits"} />
            <Select path={`${p}.type`} label={`Number ${i + 1} type`} options={types.map(([value, label]) => ({ value, label }))} />
            <TextField path={`${p}.description`} label={`Number ${i + 1} description`} />
          </>
        )} />
      )}
      <button type="submit" disabled={form.busy}>{account ? "Save account" : "Create account"}</button>
    </BoundForm>
  );
}

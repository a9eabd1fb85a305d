// Sending an approved template: pick one, fill its {{1}}, {{2}}, ... and see the text the
// customer will get.

import { useRef, useState } from "preact/hooks";
import { ApiError, problem } from "../api";
import { templateParameters } from "../format";
import type { Conversation } from "../types";
import { newKey, outcomeUnknown, owed, sendTemplate } from "./conversation";

interface Props {
  conversation: Conversation;
  onSent: () => Promise<void>;
  open?: boolean;
}

export function TemplateForm({ conversation, onSent, open = false }: Props) {
  const templates = conversation.workstream?.templates ?? [];
  const [chosen, setChosen] = useState(0);
  const [parameters, setParameters] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const key = useRef<string | null>(null); // this filled-in template's, until it is changed or answered
  if (templates.length === 0) {
    return <p class="notice">This workstream has no approved templates: an admin adds them on its page.</p>;
  }
  const template = templates[Math.min(chosen, templates.length - 1)];
  const count = templateParameters(template.text);
  const values = Array.from({ length: count }, (_, i) => parameters[i] ?? "");
  const preview = template.text.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n) => values[Number(n) - 1] || whole);
  const send = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    key.current ??= newKey();
    try {
      const sent = await sendTemplate(conversation.id,
        { name: template.name, language: template.language, parameters: values }, key.current);
      key.current = null;
      setRetrying(owed(sent));
      setParameters([]);
      await onSent();
    } catch (caught) {
      const refused = problem(caught);
      if (!outcomeUnknown(refused)) key.current = null;
      setError(refused);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="template" open={open}>
      <summary>Send a template</summary>
      <form aria-label="Send a template" onSubmit={send}>
        <label for="template-choice">Template</label>
        <select id="template-choice" value={String(chosen)}
          onChange={(e) => { key.current = null; setChosen(Number(e.currentTarget.value)); setParameters([]); }}>
          {templates.map((t, i) => <option key={`${t.name}-${t.language}`} value={String(i)}>{t.name} ({t.language})</option>)}
        </select>
        {values.map((value, i) => (
          <div class="field" key={i}>
            <label for={`template-parameter-${i}`}>Parameter {`{{${i + 1}}}`}</label>
            <input id={`template-parameter-${i}`} value={value} required
              onInput={(e) => {
                key.current = null;
                setParameters(values.map((v, j) => (j === i ? e.currentTarget.value : v)));
              }} />
          </div>
        ))}
        <p class="preview"><span class="muted">The customer gets: </span>{preview}</p>
        {error ? <p class="notice error" role="alert">Not sent: {error.message}</p> : null}
        {retrying && !error ? <p class="notice" role="status">Still sending: the provider has not taken it yet; Switchboard sends it once.</p> : null}
        <button type="submit" disabled={busy}>Send template</button>
      </form>
    </details>
  );
}

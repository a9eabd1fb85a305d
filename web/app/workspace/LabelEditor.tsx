// The open conversation's labels as chips, and Edit labels: a small panel with a checkbox
// for each label admins defined (the conversation's own checked). Save gives it exactly
// those (PUT /api/conversations/{id}/labels), and its cards show them at once; a refusal
// shows beside the list. Escape, Cancel or a click elsewhere closes the panel, the focus
// back on Edit labels. A name no label has any more cannot be given again, so saving takes
// it off: the panel says so.

import { useEffect, useRef, useState } from "preact/hooks";
import { api, problem } from "../api";
import type { Conversation } from "../types";
import { LabelChip } from "../ui/labels";
import { customerLabel } from "./conversation";
import { LabelChips, labelKey, useLabels } from "./labels";

const MAX_LABELS = 10;

interface Props {
  conversation: Conversation;
  /** The API's answer: the conversation with its new labels. */
  onLabelled: (conversation: Conversation) => void;
}

export function ConversationLabels({ conversation, onLabelled }: Props) {
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState("");
  const { reload } = useLabels();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setEditing(false);
    button.current?.focus();
  };
  useEffect(() => {
    if (!editing) return;
    const elsewhere = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setEditing(false);
    };
    document.addEventListener("pointerdown", elsewhere);
    return () => document.removeEventListener("pointerdown", elsewhere);
  }, [editing]);
  const toggle = () => {
    setSaved("");
    if (!editing) reload(); // labels an admin defined since the workspace opened
    setEditing(!editing);
  };
  const done = (answer: Conversation) => {
    onLabelled(answer);
    setSaved(answer.labels.length ? `Labels saved: ${answer.labels.join(", ")}` : "Labels removed");
    close();
  };
  return (
    <div class="conversation-labels" ref={root}>
      {conversation.labels.length ? <LabelChips names={conversation.labels} /> : <span class="muted">No labels</span>}
      <button type="button" class="link-button" ref={button} aria-expanded={editing}
        aria-controls={editing ? "label-editor" : undefined} onClick={toggle}>Edit labels</button>
      <span role="status" class="visually-hidden">{saved}</span>
      {editing ? <LabelPicker conversation={conversation} onDone={done} onCancel={close} /> : null}
    </div>
  );
}

interface PickerProps {
  conversation: Conversation;
  onDone: (answer: Conversation) => void;
  onCancel: () => void;
}

function LabelPicker({ conversation, onDone, onCancel }: PickerProps) {
  const { labels, error: unreadable, reload } = useLabels();
  const [chosen, setChosen] = useState(() => new Set(conversation.labels.map(labelKey)));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLElement>("input, button")?.focus(), []);
  const defined = new Set(labels.map((l) => labelKey(l.name)));
  const retired = conversation.labels.filter((name) => !defined.has(labelKey(name)));
  const names = labels.filter((l) => chosen.has(labelKey(l.name))).map((l) => l.name);
  const flip = (name: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(labelKey(name));
    else next.delete(labelKey(name));
    setChosen(next);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await api.put<Conversation>(`/conversations/${encodeURIComponent(conversation.id)}/labels`, { labels: names }));
    } catch (caught) {
      const refusal = problem(caught);
      const at = /^labels\[(\d+)\]$/.exec(refusal.field ?? "");
      // A label deleted while the panel was open: named, and the list read again.
      if (at) reload();
      setError(at ? `${names[Number(at[1])]} is not a label any more` : refusal.message.replace(/^labels: /, ""));
      setBusy(false);
    }
  };
  const keyDown = (event: KeyboardEvent) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    onCancel();
  };
  return (
    <form id="label-editor" class="label-editor" ref={form} aria-label={`Labels of ${customerLabel(conversation)}`}
      onSubmit={save} onKeyDown={keyDown}>
      <fieldset aria-describedby={error ? "label-editor-error" : undefined}>
        <legend>Labels <span class="hint">(up to {MAX_LABELS})</span></legend>
        {labels.length === 0 && !unreadable ? <p class="muted">No labels yet: admins define them on the Labels page.</p> : null}
        <ul class="label-options">
          {labels.map((l) => (
            <li key={l.name}>
              <label>
                <input type="checkbox" checked={chosen.has(labelKey(l.name))} onChange={(e) => flip(l.name, e.currentTarget.checked)} />
                <LabelChip name={l.name} colour={l.colour} />
              </label>
            </li>
          ))}
        </ul>
        {retired.length ? <p class="hint">No longer a label, so taken off on saving: {retired.join(", ")}</p> : null}
      </fieldset>
      {error ? <p class="field-error" id="label-editor-error" role="alert">{error}</p> : null}
      {unreadable ? <p class="notice error" role="alert">The labels could not be read: {unreadable}</p> : null}
      <div class="actions">
        {/* Not disabled while saving: a disabled button would lose the focus, and Escape with it. */}
        <button type="submit" aria-disabled={busy || undefined}>Save labels</button>
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

// Closing a conversation: its wrap-up (one of its workstream's dispositions, marked required
// where the workstream says so, and an optional note, kept as an internal note) and, while the
// customer's last messages have no answer, how many, asked first. A modal dialog: focus moves
// into it and stays there; Escape or Keep open leaves the conversation open; a refused
// disposition or note is named beside its control. Nothing reaches the API before Close.

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, problem } from "../api";
import type { CloseBody, Conversation } from "../types";
import { customerLabel } from "./conversation";

const MAX_NOTE = 4000;

interface Props {
  conversation: Conversation;
  /** Customer messages without an answer. */
  waiting: number;
  onClose: (wrap: CloseBody) => Promise<void>;
  onCancel: () => void;
}

/** The API's message as a sentence about its field ("disposition: is needed …" reads
 *  "Disposition is needed …"). */
function beside(error: ApiError | null, field: string): string | null {
  if (error?.field !== field) return null;
  const named = `${field[0].toUpperCase()}${field.slice(1)}`;
  return error.message.startsWith(`${field}: `) ? `${named} ${error.message.slice(field.length + 2)}` : error.message;
}

/** Tab and Shift+Tab go round the dialog's controls. */
function keepFocusIn(event: KeyboardEvent, dialog: HTMLElement): void {
  const controls = [...dialog.querySelectorAll<HTMLElement>("select, textarea, button")];
  const [first, last] = [controls[0], controls[controls.length - 1]];
  if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}

export function CloseDialog({ conversation, waiting, onClose, onCancel }: Props) {
  const wrap = conversation.workstream?.wrap_up;
  const dispositions = wrap?.dispositions ?? [];
  const [disposition, setDisposition] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  // Asked about unanswered messages, the safe answer has the focus; else the first choice.
  useEffect(() => dialog.current?.querySelector<HTMLElement>(waiting > 0 ? ".keep-open" : "select, textarea")?.focus(), []);
  useEffect(() => { // Escape wherever the focus is: the dialog is modal
    const escape = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      onCancel();
    };
    document.addEventListener("keydown", escape);
    return () => document.removeEventListener("keydown", escape);
  }, [onCancel]);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onClose({ ...(disposition ? { disposition } : {}), ...(note.trim() ? { note } : {}) });
    } catch (caught) {
      const refused = problem(caught);
      setError(refused);
      setBusy(false);
      if (refused.field) dialog.current?.querySelector<HTMLElement>(`#close-${refused.field}`)?.focus();
    }
  };
  const keyDown = (event: KeyboardEvent) => {
    if (event.key === "Tab" && dialog.current) keepFocusIn(event, dialog.current);
  };
  const dispositionError = beside(error, "disposition");
  const noteError = beside(error, "note");
  const messages = waiting === 1 ? "1 customer message has" : `${waiting} customer messages have`;
  return (
    <div class="dialog-backdrop" onClick={(e) => { if (e.target === e.currentTarget) onCancel(); }}>
      <div class="dialog close-dialog" role={waiting > 0 ? "alertdialog" : "dialog"} aria-modal="true" ref={dialog}
        aria-labelledby={waiting > 0 ? "close-title close-confirm" : "close-title"} onKeyDown={keyDown}>
        <h2 id="close-title">Close the conversation with {customerLabel(conversation)}</h2>
        <form onSubmit={submit} noValidate>
          {waiting > 0 ? <p id="close-confirm" class="notice warn">{messages} no answer yet. Close anyway?</p> : null}
          {dispositions.length ? (
            <div class={`field${dispositionError ? " invalid" : ""}`}>
              <label for="close-disposition">Disposition{wrap?.required ? " (required)" : ""}</label>
              <select id="close-disposition" value={disposition} required={wrap?.required}
                aria-invalid={dispositionError ? true : undefined}
                aria-describedby={dispositionError ? "close-disposition-error" : undefined}
                onChange={(e) => setDisposition(e.currentTarget.value)}>
                <option value="">{wrap?.required ? "Choose one" : "None"}</option>
                {dispositions.map((d) => <option key={d} value={d}>{d}</option>)}
              </select>
              {dispositionError ? <p class="field-error" id="close-disposition-error">{dispositionError}</p> : null}
            </div>
          ) : null}
          <div class={`field${noteError ? " invalid" : ""}`}>
            <label for="close-note">Note (optional)</label>
            <p class="hint" id="close-note-hint">Kept as an internal note: the customer never sees it.</p>
            <textarea id="close-note" rows={3} maxLength={MAX_NOTE} value={note} onInput={(e) => setNote(e.currentTarget.value)}
              aria-invalid={noteError ? true : undefined}
              aria-describedby={noteError ? "close-note-error close-note-hint" : "close-note-hint"} />
            {noteError ? <p class="field-error" id="close-note-error">{noteError}</p> : null}
          </div>
          {error && !dispositionError && !noteError ? <p class="notice error" role="alert">{error.message}</p> : null}
          <div class="actions">
            <button type="submit" class={waiting > 0 ? "danger" : undefined} disabled={busy}>
              {waiting > 0 ? "Close anyway" : "Close conversation"}</button>
            <button type="button" class="secondary keep-open" onClick={onCancel}>Keep open</button>
          </div>
        </form>
      </div>
    </div>
  );
}

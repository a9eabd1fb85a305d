// Internal notes: what the composer writes in its "Internal note" mode. A note is never
// sent: it stays in the conversation for the team, and `@name` (a teammate's directory name)
// tells that person. The mode choice is a radio group (the arrow keys switch), and the note
// mode looks apart (yellow, "Add note") so nobody mistakes it for a reply.

import { useRef, useState } from "preact/hooks";
import { ApiError, problem } from "../api";
import { characters } from "../format";
import type { Conversation } from "../types";
import { addNote, customerLabel } from "./conversation";

export type ComposeMode = "reply" | "note";

const MAX_NOTE = 4000;
const MODES: [ComposeMode, string][] = [["reply", "Reply"], ["note", "Internal note"]];

export function ModeChoice({ mode, setMode }: { mode: ComposeMode; setMode: (mode: ComposeMode) => void }) {
  return (
    <fieldset class="compose-mode">
      <legend class="visually-hidden">Write</legend>
      {MODES.map(([value, text]) => (
        <label key={value} class={`mode-${value}`}>
          <input type="radio" name="compose-mode" value={value} checked={mode === value} onChange={() => setMode(value)} />
          <span>{text}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function NoteForm({ conversation, onAdded }: { conversation: Conversation; onAdded: () => Promise<void> }) {
  const [body, setBody] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [told, setTold] = useState("");
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const count = characters(body);
  const tooLong = count > MAX_NOTE;
  const add = async () => {
    if (busy || tooLong || !body.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const note = await addNote(conversation.id, body);
      setBody((now) => (now === body ? "" : now)); // what the agent wrote meanwhile stays
      setTold(note.mentioned.length ? `Added; told ${note.mentioned.map((p) => p.name).join(", ")}.` : "Added.");
      await onAdded();
    } catch (caught) {
      setError(problem(caught));
      setTold("");
    } finally {
      setBusy(false);
      box.current?.focus();
    }
  };
  const keyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void add();
    }
  };
  return (
    <form class="note-form" aria-label="Add an internal note" onSubmit={(e) => { e.preventDefault(); void add(); }}>
      <label for="note-body">Internal note about {customerLabel(conversation)}: only your team sees it</label>
      <textarea id="note-body" ref={box} rows={3} value={body} onInput={(e) => { setBody(e.currentTarget.value); setTold(""); }}
        onKeyDown={keyDown} aria-describedby="note-count note-help" aria-invalid={tooLong || undefined} />
      <p class="composer-help">
        <span id="note-count" class={tooLong ? "bad" : ""}>{count} / {MAX_NOTE}</span>
        <span id="note-help"> · @name tells a teammate · Enter adds, Shift+Enter starts a new line</span>
      </p>
      {error ? <p class="notice error" role="alert">Not added: {error.message}</p> : null}
      <p class="composer-help" role="status">{told}</p>
      <button type="submit" class="add-note" disabled={busy || tooLong}>Add note</button>
    </form>
  );
}

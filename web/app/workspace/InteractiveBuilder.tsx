// Reply buttons and lists in the composer (WhatsApp only): the agent writes each button's
// or row's text, Switchboard numbers their ids (a quick reply's keep its own). Each text shows its count against WhatsApp's
// limit, and the API's refusal (422 naming the field) shows beside the field it names.

import type { ApiError } from "../api";
import type { Interactive } from "../types";
import { withoutPath } from "../ui/checks";
import { fieldId } from "../ui/paths";

export const LIMITS = { buttons: 3, buttonTitle: 20, rows: 10, sections: 10, rowTitle: 24, description: 72,
  listButton: 20, sectionTitle: 24 };

interface Row { id?: string; title: string; description: string }
interface SectionDraft { title: string; rows: Row[] }
export type InteractiveDraft = { kind: "buttons"; buttons: { id?: string; title: string }[] }
  | { kind: "list"; button: string; sections: SectionDraft[] }
  | { kind: "content"; content_sid: string };

const newRow = (): Row => ({ title: "", description: "" });
export const newButtons = (): InteractiveDraft => ({ kind: "buttons", buttons: [{ title: "" }, { title: "" }] });
export const newList = (): InteractiveDraft => ({ kind: "list", button: "", sections: [{ title: "", rows: [newRow()] }] });

/** What the API takes: ids numbered by position, a row's description only when written. */
export function interactivePayload(draft: InteractiveDraft): Interactive {
  if (draft.kind === "content") return { content_sid: draft.content_sid };
  if (draft.kind === "buttons") {
    return { buttons: draft.buttons.map((b, i) => ({ id: b.id ?? `button-${i + 1}`, title: b.title })) };
  }
  return {
    button: draft.button,
    sections: draft.sections.map((s, i) => ({
      title: s.title,
      rows: s.rows.map((r, j) => ({ id: r.id ?? `row-${i + 1}-${j + 1}`, title: r.title,
        ...(r.description.trim() ? { description: r.description } : {}) })),
    })),
  };
}

/** A quick reply's buttons or list, to edit before sending. */
export function draftOf(offered: Interactive): InteractiveDraft {
  if (offered.content_sid) return { kind: "content", content_sid: offered.content_sid };
  if (offered.buttons?.length) return { kind: "buttons", buttons: offered.buttons.map((b) => ({ id: b.id, title: b.title })) };
  return {
    kind: "list", button: offered.button ?? "",
    sections: (offered.sections ?? []).map((s) => ({ title: s.title,
      rows: s.rows.map((r) => ({ id: r.id, title: r.title, description: r.description ?? "" })) })),
  };
}

interface Props {
  draft: InteractiveDraft;
  change: (next: InteractiveDraft | null) => void;
  refused: ApiError | null;
}

export function InteractiveBuilder({ draft, change, refused }: Props) {
  if (draft.kind === "content") {
    return (
      <p class="notice">Sends Twilio content {draft.content_sid} with the text above.{" "}
        <button type="button" class="link-button" onClick={() => change(null)}>Discard it</button></p>
    );
  }
  return draft.kind === "buttons"
    ? <ButtonsBuilder draft={draft} change={change} refused={refused} />
    : <ListBuilder draft={draft} change={change} refused={refused} />;
}

function ButtonsBuilder({ draft, change, refused }: Props) {
  if (draft.kind !== "buttons") return null;
  const buttons = draft.buttons;
  const set = (next: { title: string }[]) => change({ kind: "buttons", buttons: next });
  return (
    <fieldset class="interactive-builder">
      <legend>Reply buttons ({buttons.length} of {LIMITS.buttons})</legend>
      <GroupError path="buttons" refused={refused} />
      {buttons.map((b, i) => (
        <div class="list-item" key={i}>
          <Limited path={`buttons[${i}].title`} label={`Button ${i + 1} title`} value={b.title} limit={LIMITS.buttonTitle}
            set={(title) => set(buttons.map((x, j) => (j === i ? { title } : x)))} refused={refused} />
          {buttons.length > 1 ? (
            <button type="button" class="link-button" onClick={() => set(buttons.filter((_, j) => j !== i))}>
              Remove button {i + 1}</button>
          ) : null}
        </div>
      ))}
      <button type="button" class="secondary" disabled={buttons.length >= LIMITS.buttons}
        onClick={() => set([...buttons, { title: "" }])}>Add a button</button>
      <button type="button" class="link-button" onClick={() => change(null)}>Discard the buttons</button>
    </fieldset>
  );
}

function ListBuilder({ draft, change, refused }: Props) {
  if (draft.kind !== "list") return null;
  const rows = draft.sections.reduce((n, s) => n + s.rows.length, 0);
  const full = rows >= LIMITS.rows;
  const setSections = (sections: SectionDraft[]) => change({ ...draft, sections });
  const setSection = (i: number, next: SectionDraft) => setSections(draft.sections.map((s, j) => (j === i ? next : s)));
  return (
    <fieldset class="interactive-builder">
      <legend>List ({rows} of {LIMITS.rows} rows)</legend>
      <GroupError path="sections" refused={refused} />
      <Limited path="button" label="List button text" value={draft.button} limit={LIMITS.listButton}
        set={(button) => change({ ...draft, button })} refused={refused} />
      {draft.sections.map((s, i) => (
        <fieldset class="list-item" key={i}>
          <legend>Section {i + 1}</legend>
          <GroupError path={`sections[${i}].rows`} refused={refused} />
          <Limited path={`sections[${i}].title`} label={`Section ${i + 1} title`} value={s.title}
            limit={LIMITS.sectionTitle} set={(title) => setSection(i, { ...s, title })} refused={refused} />
          {s.rows.map((r, j) => {
            const setRow = (next: Row) => setSection(i, { ...s, rows: s.rows.map((x, k) => (k === j ? next : x)) });
            const name = `Section ${i + 1} row ${j + 1}`;
            return (
              <div class="list-item" key={j}>
                <Limited path={`sections[${i}].rows[${j}].title`} label={`${name} title`} value={r.title}
                  limit={LIMITS.rowTitle} set={(title) => setRow({ ...r, title })} refused={refused} />
                <Limited path={`sections[${i}].rows[${j}].description`} label={`${name} description (optional)`}
                  value={r.description} limit={LIMITS.description} set={(description) => setRow({ ...r, description })}
                  refused={refused} />
                {s.rows.length > 1 ? (
                  <button type="button" class="link-button"
                    onClick={() => setSection(i, { ...s, rows: s.rows.filter((_, k) => k !== j) })}>Remove {name.toLowerCase()}</button>
                ) : null}
              </div>
            );
          })}
          <button type="button" class="secondary" disabled={full}
            onClick={() => setSection(i, { ...s, rows: [...s.rows, newRow()] })}>Add a row to section {i + 1}</button>
          {draft.sections.length > 1 ? (
            <button type="button" class="link-button" onClick={() => setSections(draft.sections.filter((_, k) => k !== i))}>
              Remove section {i + 1}</button>
          ) : null}
        </fieldset>
      ))}
      <button type="button" class="secondary" disabled={full || draft.sections.length >= LIMITS.sections}
        onClick={() => setSections([...draft.sections, { title: "", rows: [newRow()] }])}>Add a section</button>
      <button type="button" class="link-button" onClick={() => change(null)}>Discard the list</button>
    </fieldset>
  );
}

interface LimitedProps {
  path: string;
  label: string;
  value: string;
  limit: number;
  set: (next: string) => void;
  refused: ApiError | null;
}

/** A text with its count against the limit, and the API's refusal of it beside it. */
function Limited({ path, label, value, limit, set, refused }: LimitedProps) {
  const field = `interactive.${path}`;
  const id = fieldId(field);
  const over = value.length > limit;
  const problem = refused?.field === field || refused?.field === `${field}.id` ? refused : null;
  return (
    <div class={`field${problem ? " invalid" : ""}`}>
      <label for={id}>{label}</label>
      <input id={id} value={value} onInput={(e) => set(e.currentTarget.value)} aria-invalid={over || !!problem || undefined}
        aria-describedby={problem ? `${id}-count ${id}-error` : `${id}-count`} />
      <span id={`${id}-count`} class={`count${over ? " bad" : ""}`}>{value.length} / {limit}</span>
      {problem ? <p class="field-error" id={`${id}-error`}>{withoutPath(problem.message, problem.field ?? "")}</p> : null}
    </div>
  );
}

/** A refusal of the group itself or of one item too many ("interactive.buttons[3]"). */
function GroupError({ path, refused }: { path: string; refused: ApiError | null }) {
  const field = `interactive.${path}`;
  const named = refused?.field ?? "";
  if (named !== field && !new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")}\\[\\d+\\]$`).test(named)) return null;
  return <p class="field-error">{withoutPath(refused?.message ?? "", named)}</p>;
}
